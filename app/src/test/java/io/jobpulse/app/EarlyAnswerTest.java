package io.jobpulse.app;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An answer the server gives before it has read the whole request (headers or a body that are too
 * large) reaches the client every time, over a kept-alive client as a service would use: the server
 * closes such a connection only after a half-close and a short drain, never with unread bytes that
 * would make the kernel reset it and destroy the answer.
 */
class EarlyAnswerTest {

    private static final int REQUESTS = 300;

    private static JobpulseInstance jobpulse;

    @BeforeAll
    static void start() {
        jobpulse = JobpulseInstance.start(Map.of());
    }

    @AfterAll
    static void stop() {
        jobpulse.close();
    }

    @Test
    void headersTooLargeAreAnsweredEveryTime() throws Exception {
        Map<String, Integer> outcomes = send(() -> HttpRequest.newBuilder(jobpulse.uri("/v1/webhooks/fuzz"))
                .header("webhook-id", "a".repeat(70_000)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"p1\"}")));
        assertThat(outcomes).as("answers by status, and requests with no answer").containsOnlyKeys("413");
    }

    @Test
    void aBodyTooLargeIsAnsweredEveryTime() throws Exception {
        byte[] body = new byte[2 * 1024 * 1024];
        Map<String, Integer> outcomes = send(() -> HttpRequest.newBuilder(jobpulse.uri("/v1/jobs"))
                .header("Authorization", "Bearer " + JobpulseInstance.token(JobpulseInstance.USER))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)));
        assertThat(outcomes).as("answers by status, and requests with no answer").containsOnlyKeys("413");
    }

    /** Sends the request {@link #REQUESTS} times on one client; counts the answers by status and the failures by message. */
    private static Map<String, Integer> send(Supplier<HttpRequest.Builder> request) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        Map<String, Integer> outcomes = new TreeMap<>();
        for (int i = 0; i < REQUESTS; i++) {
            try {
                HttpResponse<String> answer = http.send(request.get().timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
                outcomes.merge(Integer.toString(answer.statusCode()), 1, Integer::sum);
            } catch (IOException e) {
                outcomes.merge("no answer: " + e.getMessage(), 1, Integer::sum);
            }
        }
        return outcomes;
    }
}
