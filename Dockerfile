# Jobpulse image: one jar, any set of roles (JOBPULSE_ROLES).
FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /src
COPY . .
RUN ./mvnw -B -ntp -DskipTests package

FROM eclipse-temurin:21-jre
RUN useradd --system --home-dir /var/lib/jobpulse --create-home jobpulse
COPY --from=build /src/app/target/jobpulse.jar /opt/jobpulse/jobpulse.jar
COPY --from=build /src/app/target/lib/ /opt/jobpulse/lib/
USER jobpulse
WORKDIR /var/lib/jobpulse
ENV JOBPULSE_STATE_DIR=/var/lib/jobpulse/streams
EXPOSE 8080
ENTRYPOINT ["java", "--enable-native-access=ALL-UNNAMED", "-jar", "/opt/jobpulse/jobpulse.jar"]
CMD ["serve"]
