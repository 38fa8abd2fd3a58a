package io.jobpulse.devstack;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The infrastructure Jobpulse needs, started on this machine with nothing installed but a JDK:
 * a Kafka broker in this JVM and a PostgreSQL child process, started in parallel. Either can be
 * left out when an external one is given.
 */
public final class DevStack implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DevStack.class);

    /**
     * @param home           the data directory; Kafka goes to {@code home/kafka}, PostgreSQL to {@code home/postgres}
     * @param startKafka     false when an external broker is used
     * @param startPostgres  false when an external database is used
     * @param durable        false for tests: PostgreSQL without fsync
     */
    public record Options(Path home, boolean startKafka, int kafkaPort, int controllerPort,
                          boolean startPostgres, int postgresPort, boolean durable) {

        /** Fresh, fast, on free ports: for a test JVM. */
        public static Options forTests(Path home) {
            return new Options(home, true, 0, 0, true, 0, false);
        }
    }

    private final EmbeddedKafka kafka;
    private final EmbeddedPostgresServer postgres;

    private DevStack(EmbeddedKafka kafka, EmbeddedPostgresServer postgres) {
        this.kafka = kafka;
        this.postgres = postgres;
    }

    public static DevStack start(Options options) {
        CompletableFuture<EmbeddedPostgresServer> postgres = options.startPostgres()
                ? CompletableFuture.supplyAsync(() -> unchecked(() ->
                        EmbeddedPostgresServer.start(options.home().resolve("postgres"), options.postgresPort(), options.durable())))
                : CompletableFuture.completedFuture(null);
        EmbeddedKafka kafka = null;
        try {
            if (options.startKafka()) {
                kafka = unchecked(() -> EmbeddedKafka.start(options.home().resolve("kafka"),
                        options.kafkaPort(), options.controllerPort(), Map.of()));
            }
            return new DevStack(kafka, postgres.join());
        } catch (RuntimeException e) {
            if (kafka != null) {
                kafka.close();
            }
            try {
                closeQuietly(postgres.join());
            } catch (CompletionException ignored) {
                // PostgreSQL failed too; there is nothing to stop.
            }
            throw e instanceof CompletionException c && c.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    public boolean hasKafka() {
        return kafka != null;
    }

    public boolean hasPostgres() {
        return postgres != null;
    }

    public EmbeddedKafka kafka() {
        return kafka;
    }

    public EmbeddedPostgresServer postgres() {
        return postgres;
    }

    @Override
    public void close() {
        if (kafka != null) {
            kafka.close();
        }
        closeQuietly(postgres);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.warn("failed to stop {}: {}", closeable.getClass().getSimpleName(), e.toString());
        }
    }

    private interface Start<T> {
        T run() throws Exception;
    }

    private static <T> T unchecked(Start<T> start) {
        try {
            return start.run();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
