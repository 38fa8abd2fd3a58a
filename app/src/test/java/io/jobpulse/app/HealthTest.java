package io.jobpulse.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.devstack.EmbeddedPostgresServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Health and reads tell the truth fast when a dependency hangs, as an operator meets it: a PostgreSQL whose processes
 * are frozen (SIGSTOP: connections stay open, nothing answers), and a "broker" that accepts connections and never
 * answers. Liveness stays 200, readiness turns 503 naming the component, each within a second, and the job list answers
 * 503 within its query timeout instead of hanging; after SIGCONT everything is UP again. Each case runs against a
 * dependency of its own (a PostgreSQL this test starts, a socket it holds), never the shared test stack's.
 */
class HealthTest {

    private static final Duration ONE_SECOND = Duration.ofSeconds(1);
    private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(2);

    @Test
    void aFrozenDatabaseMakesReadinessAndReadsAnswer503FastAndLivenessStays200(@TempDir Path data) throws Exception {
        try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(data.resolve("postgres"), 0, false);
             JobpulseInstance jobpulse = JobpulseInstance.start(projectionsOn(postgres.jdbcUrl(), postgres.password()))) {
            awaitReady(jobpulse);
            JsonNode ready = SliceEndToEndTest.json(timed(jobpulse, "/health/readiness").response());
            assertThat(ready.at("/details/postgresql/status").asText()).isEqualTo("UP");
            assertThat(ready.at("/details/kafka/status").asText()).isEqualTo("UP");
            assertThat(ready.at("/details/consumers/status").asText()).isEqualTo("UP");

            List<Long> frozen = freeze(postgres);
            try {
                Timed liveness = timed(jobpulse, "/health/liveness");
                assertThat(liveness.response().statusCode()).isEqualTo(200);
                assertThat(liveness.took()).isLessThan(ONE_SECOND);

                // The last good result may be given again for jobpulse.health.cache-for (1 s); then the check's deadline tells.
                List<Duration> took = new CopyOnWriteArrayList<>();
                await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(200)).until(() -> {
                    Timed readiness = timed(jobpulse, "/health/readiness");
                    took.add(readiness.took());
                    return readiness.response().statusCode() == 503;
                });
                Timed readiness = timed(jobpulse, "/health/readiness");
                took.add(readiness.took());
                System.out.println("readiness with PostgreSQL frozen answered in " + took.stream().map(Duration::toMillis).toList() + " ms");
                assertThat(took).allSatisfy(time -> assertThat(time).isLessThan(ONE_SECOND));
                assertThat(readiness.response().statusCode()).isEqualTo(503);
                JsonNode down = SliceEndToEndTest.json(readiness.response());
                assertThat(down.at("/details/postgresql/status").asText()).as(readiness.response().body()).isEqualTo("DOWN");
                assertThat(down.at("/details/postgresql/details/error").asText()).startsWith("no answer within");
                assertThat(down.at("/details/kafka/status").asText()).isEqualTo("UP");
                Timed health = timed(jobpulse, "/health");
                assertThat(health.response().statusCode()).isEqualTo(503);
                assertThat(health.took()).isLessThan(ONE_SECOND);

                Timed list = timed(jobpulse, "/v1/jobs", JobpulseInstance.token(JobpulseInstance.USER));
                System.out.println("GET /v1/jobs with PostgreSQL frozen answered in " + list.took().toMillis() + " ms");
                assertThat(list.response().statusCode()).isEqualTo(503);
                assertThat(list.response().headers().firstValue("Content-Type")).hasValue("application/problem+json");
                assertThat(list.response().headers().firstValue("Retry-After")).isPresent();
                assertThat(SliceEndToEndTest.json(list.response()).get("detail").asText()).contains("did not answer within 2000 ms");
                assertThat(list.took()).isLessThan(QUERY_TIMEOUT.plus(ONE_SECOND));
            } finally {
                signal("-CONT", frozen);
            }
            long resumed = System.nanoTime();
            awaitReady(jobpulse);
            System.out.println("UP again " + Duration.ofNanos(System.nanoTime() - resumed).toMillis() + " ms after SIGCONT");
            assertThat(timed(jobpulse, "/v1/jobs", JobpulseInstance.token(JobpulseInstance.USER)).response().statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aBrokerThatNeverAnswersMakesReadinessNameKafkaWhileLivenessStays200() throws Exception {
        try (SilentPort broker = new SilentPort();
             JobpulseInstance jobpulse = JobpulseInstance.start(Map.of("kafka.bootstrap.servers", "127.0.0.1:" + broker.port(),
                     "jobpulse.roles", "push", "jobpulse.topics.provision", "false"))) {
            Timed liveness = timed(jobpulse, "/health/liveness");
            assertThat(liveness.response().statusCode()).isEqualTo(200);
            assertThat(liveness.took()).isLessThan(ONE_SECOND);
            Timed readiness = timed(jobpulse, "/health/readiness");
            System.out.println("readiness with a silent broker answered in " + readiness.took().toMillis() + " ms");
            assertThat(readiness.took()).isLessThan(ONE_SECOND);
            assertThat(readiness.response().statusCode()).isEqualTo(503);
            JsonNode down = SliceEndToEndTest.json(readiness.response());
            assertThat(down.at("/details/kafka/status").asText()).as(readiness.response().body()).isEqualTo("DOWN");
            assertThat(down.at("/details/kafka/details/error").asText()).startsWith("no answer within");
            assertThat(broker.accepted()).isPositive();
        }
    }

    private static void awaitReady(JobpulseInstance jobpulse) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            HttpResponse<String> readiness = timed(jobpulse, "/health/readiness").response();
            assertThat(readiness.statusCode()).as(readiness.body()).isEqualTo(200);
        });
    }

    /** The projections role on its own database, with consumer groups of its own (never the shared ones). */
    private static Map<String, Object> projectionsOn(String jdbcUrl, String password) {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        return Map.of("jobpulse.roles", "projections",
                "datasources.default.url", jdbcUrl,
                "datasources.default.username", EmbeddedPostgresServer.USER,
                "datasources.default.password", password,
                "jobpulse.projections.group-id", "health-test-" + suffix,
                "jobpulse.projections.events-group-id", "health-test-events-" + suffix,
                "jobpulse.projections.query-timeout", QUERY_TIMEOUT.toMillis() + "ms");
    }

    /** Stops the postmaster and every process of its cluster (the backends serving open connections). */
    private static List<Long> freeze(EmbeddedPostgresServer postgres) throws Exception {
        ProcessHandle postmaster = ProcessHandle.of(postgres.pid()).orElseThrow();
        List<Long> pids = Stream.concat(Stream.of(postmaster), postmaster.descendants()).map(ProcessHandle::pid).toList();
        signal("-STOP", pids);
        return pids;
    }

    private static void signal(String signal, List<Long> pids) throws Exception {
        List<String> command = new ArrayList<>(List.of("kill", signal));
        pids.forEach(pid -> command.add(Long.toString(pid)));
        assertThat(new ProcessBuilder(command).inheritIO().start().waitFor()).as(String.join(" ", command)).isZero();
    }

    private record Timed(HttpResponse<String> response, Duration took) {
    }

    private static Timed timed(JobpulseInstance jobpulse, String path) {
        return timed(jobpulse, path, null);
    }

    private static Timed timed(JobpulseInstance jobpulse, String path, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(jobpulse.uri(path)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        long started = System.nanoTime();
        HttpResponse<String> response = jobpulse.sendAsIs(request.build());
        return new Timed(response, Duration.ofNanos(System.nanoTime() - started));
    }

    /** A port that accepts connections and never reads or writes a byte: a broker that hangs. */
    private static final class SilentPort implements AutoCloseable {

        private final ServerSocket server;
        private final List<Socket> held = new CopyOnWriteArrayList<>();
        private final Thread acceptor;

        SilentPort() throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            acceptor = Thread.ofPlatform().daemon().name("silent-port").start(() -> {
                try {
                    while (!server.isClosed()) {
                        held.add(server.accept());
                    }
                } catch (IOException e) {
                    // closed
                }
            });
        }

        int port() {
            return server.getLocalPort();
        }

        int accepted() {
            return held.size();
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket socket : held) {
                try {
                    socket.close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }
}
