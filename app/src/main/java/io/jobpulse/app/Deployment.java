package io.jobpulse.app;

import ch.qos.logback.classic.Level;
import io.jobpulse.app.security.JwtSecret;
import io.jobpulse.events.KafkaSettings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the deployment that an operator command ({@code audit}, {@code keys}, {@code replay}) works on is:
 * Kafka at {@code KAFKA_BOOTSTRAP_SERVERS}, else {@code ./jobpulse dev}'s broker on 127.0.0.1 at
 * {@code JOBPULSE_DEV_KAFKA_PORT}; PostgreSQL at {@code JDBC_URL} ({@code JDBC_USERNAME}, {@code JDBC_PASSWORD}),
 * else dev's database on 127.0.0.1 at {@code JOBPULSE_DEV_POSTGRES_PORT} with the password dev keeps under
 * {@code JOBPULSE_HOME}. {@code ./jobpulse dev} reads the same variables to place what it starts.
 * The {@code require} methods check that something listens (a refused connection is said at once) and answers (given
 * the seconds a loaded machine may take), and otherwise stop the command
 * with one line naming what was looked for and the variable to set.
 */
public record Deployment(String bootstrapServers, boolean devKafka, String jdbcUrl, String jdbcUsername, String jdbcPassword,
                         boolean devDatabase, Path home) {

    public static final int DEV_KAFKA_PORT = 9092;
    public static final int DEV_POSTGRES_PORT = 54329;
    /** How long a connection may take to be accepted: refused is at once, a host that drops packets is not. */
    private static final int CONNECT_SECONDS = 3;
    /** How long what accepted the connection may take to answer: a loaded machine may take seconds. */
    private static final int ANSWER_SECONDS = 15;
    private static final Pattern SINGLE_HOST_URL = Pattern.compile("jdbc:postgresql://([^/:,\\[\\]]+)(?::(\\d+))?/[^,]*");
    private static final String DEV_RUNNING = "; is ./jobpulse dev running?";

    /** The deployment the environment names, or dev's. */
    public static Deployment of(Map<String, String> env) {
        Path home = home(env);
        String kafka = env.get("KAFKA_BOOTSTRAP_SERVERS");
        boolean devKafka = kafka == null;
        if (devKafka) {
            kafka = "127.0.0.1:" + port(env, "JOBPULSE_DEV_KAFKA_PORT", DEV_KAFKA_PORT);
        }
        String url = env.get("JDBC_URL");
        if (url != null) {
            return new Deployment(kafka, devKafka, url, env.getOrDefault("JDBC_USERNAME", "postgres"),
                    env.getOrDefault("JDBC_PASSWORD", ""), false, home);
        }
        Path passwordFile = home.resolve("postgres-password");
        String password;
        try {
            password = Files.exists(passwordFile) ? Files.readString(passwordFile).strip() : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Deployment(kafka, devKafka, "jdbc:postgresql://127.0.0.1:" + port(env, "JOBPULSE_DEV_POSTGRES_PORT", DEV_POSTGRES_PORT)
                + "/jobpulse", "postgres", password, true, home);
    }

    /** Dev's data directory: {@code JOBPULSE_HOME}, by default {@code .jobpulse}. */
    static Path home(Map<String, String> env) {
        return Path.of(env.getOrDefault("JOBPULSE_HOME", ".jobpulse"));
    }

    static int port(Map<String, String> env, String name, int fallback) {
        String value = env.get(name);
        try {
            return value == null ? fallback : Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a port number, not '" + value + "'");
        }
    }

    /**
     * The Streams state directory of dev's topology on the broker with this cluster id: state belongs to one
     * cluster, so a new broker never meets an old directory.
     */
    static Path devStateDir(Path home, String clusterId) {
        return home.resolve("streams").resolve(clusterId).toAbsolutePath();
    }

    /** The state directory of the topology instance this deployment runs, when it is dev's (with its own broker). */
    Optional<Path> devStateDir(String clusterId) {
        return devKafka ? Optional.of(devStateDir(home, clusterId)) : Optional.empty();
    }

    /** The settings of an application context that works on this deployment. */
    public Map<String, Object> properties() {
        Map<String, Object> properties = new HashMap<>();
        properties.put(KafkaSettings.BOOTSTRAP_SERVERS, bootstrapServers);
        properties.put("datasources.default.url", jdbcUrl);
        properties.put("datasources.default.username", jdbcUsername);
        properties.put("datasources.default.password", jdbcPassword);
        return properties;
    }

    /**
     * A command's context starts like every context and applies the migrations, and says both at INFO: news from
     * a server starting, not from every call of a command. Set before the context starts (its {@code logger.levels}
     * settings apply only after the migrations have run).
     */
    public static void quietContextStartLog() {
        for (String name : List.of("io.micronaut.flyway", "io.micronaut.context.DefaultApplicationContext")) {
            if (LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger logger) {
                logger.setLevel(Level.WARN);
            }
        }
    }

    /**
     * A one-minute {@code jobpulse:admin} token for a command that reads the instances' management endpoints: beside
     * {@code ./jobpulse dev} (no {@code KAFKA_BOOTSTRAP_SERVERS}), signed with dev's JWT secret
     * ({@code JOBPULSE_JWT_SECRET}, else the one under {@code JOBPULSE_HOME}) as dev's own tokens are; elsewhere none.
     */
    public Optional<String> devAdminToken(Map<String, String> env) {
        if (!devKafka) {
            return Optional.empty();
        }
        String secret = env.getOrDefault("JOBPULSE_JWT_SECRET", "");
        Path file = home.resolve("jwt-secret");
        try {
            if (secret.isEmpty() && Files.isReadable(file)) {
                secret = Files.readString(file).strip();
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        if (secret.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(JwtSecret.mint(secret, env.getOrDefault("JOBPULSE_JWT_ISSUER", DevCommand.DEV_ISSUER),
                env.getOrDefault("JOBPULSE_JWT_AUDIENCE", DevCommand.DEV_AUDIENCE), "jobpulse-status", "jobpulse:admin", Duration.ofMinutes(1)));
    }

    /** Checks that a Kafka broker answers, and returns its cluster id. */
    public String requireKafka() {
        String hint = devKafka ? " (set KAFKA_BOOTSTRAP_SERVERS, or JOBPULSE_DEV_KAFKA_PORT for ./jobpulse dev's broker)" + DEV_RUNNING
                : " (KAFKA_BOOTSTRAP_SERVERS)";
        // A plain connection first: a Kafka client would retry and log a warning per attempt until its timeout.
        boolean listening = Arrays.stream(bootstrapServers.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .anyMatch(Deployment::accepts);
        if (!listening) {
            throw new IllegalStateException("no Kafka broker answers at " + bootstrapServers + hint);
        }
        Map<String, Object> config = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ANSWER_SECONDS * 1000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ANSWER_SECONDS * 1000);
        try (Admin admin = Admin.create(config)) {
            return admin.describeCluster(new DescribeClusterOptions().timeoutMs(ANSWER_SECONDS * 1000)).clusterId()
                    .get(ANSWER_SECONDS + 1, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("something listens at " + bootstrapServers + " but no Kafka broker answers there" + hint);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Checks that PostgreSQL answers and takes the login. */
    public void requirePostgres() {
        String where = devDatabase ? jdbcUrl.substring("jdbc:postgresql://".length()) : jdbcUrl;
        String hint = devDatabase
                ? " (set JDBC_URL, JDBC_USERNAME, JDBC_PASSWORD, or JOBPULSE_DEV_POSTGRES_PORT for ./jobpulse dev's database)" + DEV_RUNNING
                : " (JDBC_URL)";
        // A plain connection first, where the address can be read from the URL: nothing listening is said at once,
        // and what does listen is given the time a loaded machine needs to answer.
        Optional<String> address = hostAndPort(jdbcUrl);
        if (address.isPresent() && !accepts(address.get())) {
            throw new IllegalStateException("no PostgreSQL answers at " + where + hint);
        }
        Properties login = new Properties();
        login.setProperty("user", jdbcUsername);
        login.setProperty("password", jdbcPassword);
        login.setProperty("connectTimeout", Integer.toString(CONNECT_SECONDS));
        login.setProperty("loginTimeout", Integer.toString(ANSWER_SECONDS));
        login.setProperty("socketTimeout", Integer.toString(ANSWER_SECONDS));
        try {
            DriverManager.getConnection(jdbcUrl, login).close();
        } catch (SQLException e) {
            if (e.getSQLState() != null && e.getSQLState().startsWith("08")) {
                throw new IllegalStateException((address.isPresent()
                        ? "something listens at " + where + " but no PostgreSQL answers there"
                        : "no PostgreSQL answers at " + where) + hint);
            }
            String reason = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            throw new IllegalStateException("PostgreSQL at " + where + " refused user " + jdbcUsername + ": " + reason + (devDatabase
                    ? " (./jobpulse dev's password is read from " + home.resolve("postgres-password") + "; JOBPULSE_HOME)"
                    : " (JDBC_USERNAME, JDBC_PASSWORD)"));
        }
    }

    /** The {@code host:port} of a {@code jdbc:postgresql://host[:port]/database} URL with one host; empty for any other form. */
    static Optional<String> hostAndPort(String jdbcUrl) {
        Matcher url = SINGLE_HOST_URL.matcher(jdbcUrl);
        if (!url.matches()) {
            return Optional.empty();
        }
        return Optional.of(url.group(1) + ":" + (url.group(2) == null ? "5432" : url.group(2)));
    }

    private static boolean accepts(String hostAndPort) {
        int colon = hostAndPort.lastIndexOf(':');
        if (colon < 0) {
            return false;
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(hostAndPort.substring(0, colon), Integer.parseInt(hostAndPort.substring(colon + 1))),
                    CONNECT_SECONDS * 1000);
            return true;
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }
}
