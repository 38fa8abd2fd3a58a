# Jobpulse image: one jar that plays any set of roles, chosen by JOBPULSE_ROLES.
# See docs/deployment.md. Build from the repository root: docker build -t jobpulse .

# Build: the Maven Wrapper fetches Maven and the dependencies; tests are compiled, not run.
FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /src
COPY . .
RUN ./mvnw -B -ntp -DskipTests package

# Run: the jar and its lib/ (the manifest's Class-Path points at lib/...), as a non-root user.
FROM eclipse-temurin:21-jre
# The streams directory is created here, owned by the runtime user, so that a named volume
# mounted on it starts out writable by that user.
RUN useradd --uid 10001 --user-group --no-create-home --home-dir /var/lib/jobpulse \
        --shell /usr/sbin/nologin jobpulse \
    && mkdir -p /var/lib/jobpulse/streams /var/lib/jobpulse/metrics-key \
    && chown -R jobpulse:jobpulse /var/lib/jobpulse
COPY --from=build /src/app/target/lib/ /opt/jobpulse/lib/
COPY --from=build /src/app/target/jobpulse.jar /opt/jobpulse/jobpulse.jar
# Runs java with the jar; for serve, JOBPULSE_INSTANCE_ID defaults to the container's hostname.
COPY --from=build /src/deploy/jobpulse-entrypoint.sh /opt/jobpulse/entrypoint.sh
RUN chmod 0755 /opt/jobpulse/entrypoint.sh
USER jobpulse
WORKDIR /var/lib/jobpulse
# Kafka Streams state of the topology role: in the container's own layer, which a restart keeps
# and a new container does without (its stores are restored from their changelog topics).
ENV JOBPULSE_STATE_DIR=/var/lib/jobpulse/streams
EXPOSE 8080
ENTRYPOINT ["/opt/jobpulse/entrypoint.sh"]
CMD ["serve"]
