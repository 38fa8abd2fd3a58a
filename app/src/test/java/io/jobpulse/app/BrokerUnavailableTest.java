package io.jobpulse.app;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.util.Map;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;

/** Without a reachable broker, intake answers 503 problem+json in bounded time and accepts nothing. */
class BrokerUnavailableTest {

    @Test
    void submissionIsRefusedWith503WhenKafkaIsUnreachable() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        try (JobpulseInstance ingest = JobpulseInstance.start(Map.of(
                "jobpulse.roles", "ingest",
                "jobpulse.topics.provision", false,
                "jobpulse.ingest.ack-timeout", "2s",
                "kafka.bootstrap.servers", "127.0.0.1:" + closedPort))) {

            long started = System.nanoTime();
            HttpResponse<String> response = ingest.post("/v1/jobs", "{\"type\":\"image.generate\"}");
            long elapsedMs = (System.nanoTime() - started) / 1_000_000;

            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
            assertThat(json(response).get("type").asText()).endsWith("/unavailable");
            assertThat(json(response).has("id")).isFalse();
            assertThat(response.headers().firstValue("Location")).isEmpty();
            assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
            System.out.println("503 after " + elapsedMs + " ms with a 2 s acknowledgement timeout");
        }
    }
}
