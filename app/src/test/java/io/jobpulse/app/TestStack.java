package io.jobpulse.app;

import io.jobpulse.devstack.DevStack;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.regex.Pattern;

/**
 * The real Kafka broker and PostgreSQL every integration test runs against, started once per
 * test JVM and stopped when the JVM exits (after the tests have closed their applications).
 * In order of preference: external ones named by {@code KAFKA_BOOTSTRAP_SERVERS} and
 * {@code JDBC_URL} (with {@code JDBC_USERNAME}, {@code JDBC_PASSWORD}); containers where Docker
 * runs; otherwise the embedded dev stack (in-process broker, PostgreSQL child process).
 */
final class TestStack {

    private static final Pattern DATABASE_IN_URL = Pattern.compile("^(jdbc:postgresql://[^/]+/)([^?]*)(.*)$");
    private static TestStack instance;

    final String bootstrapServers;
    final String jdbcUrl;
    final String username;
    final String password;
    final String kind;

    private TestStack(String bootstrapServers, String jdbcUrl, String username, String password, String kind) {
        this.bootstrapServers = bootstrapServers;
        this.jdbcUrl = jdbcUrl;
        this.username = username;
        this.password = password;
        this.kind = kind;
    }

    static synchronized TestStack get() {
        if (instance == null) {
            instance = start();
            System.out.println("integration tests use " + instance.kind + ": " + instance.bootstrapServers + ", " + instance.jdbcUrl);
        }
        return instance;
    }

    private static TestStack start() {
        String kafka = System.getenv("KAFKA_BOOTSTRAP_SERVERS");
        String jdbc = System.getenv("JDBC_URL");
        if (kafka != null && jdbc != null) {
            return new TestStack(kafka, jdbc, System.getenv().getOrDefault("JDBC_USERNAME", "postgres"),
                    System.getenv().getOrDefault("JDBC_PASSWORD", ""), "external services");
        }
        if (DockerClientFactory.instance().isDockerAvailable()) {
            KafkaContainer broker = new KafkaContainer("apache/kafka:4.2.0");
            PostgreSQLContainer postgres = new PostgreSQLContainer("postgres:16-alpine");
            broker.start();
            postgres.start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                broker.stop();
                postgres.stop();
            }));
            return new TestStack(broker.getBootstrapServers(), postgres.getJdbcUrl(), postgres.getUsername(),
                    postgres.getPassword(), "Testcontainers");
        }
        Path home;
        try {
            home = Files.createTempDirectory("jobpulse-test-stack");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        DevStack stack = DevStack.start(DevStack.Options.forTests(home));
        Runtime.getRuntime().addShutdownHook(new Thread(stack::close));
        return new TestStack(stack.kafka().bootstrapServers(), stack.postgres().jdbcUrl(), "postgres", stack.postgres().password(),
                "the embedded stack");
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, username, password);
    }

    /**
     * The JDBC URL of a new, empty database on the same server, for a test whose figures would be
     * disturbed by the other instances that project into the shared one (an instance is migrated by
     * Flyway as it starts).
     */
    String newDatabase(String prefix) throws SQLException {
        String name = prefix + "_" + Long.toHexString(System.nanoTime());
        try (Connection connection = connect(); var statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        }
        return DATABASE_IN_URL.matcher(jdbcUrl).replaceFirst("$1" + name + "$3");
    }
}
