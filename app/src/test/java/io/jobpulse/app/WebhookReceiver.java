package io.jobpulse.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.events.JobJson;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A receiver of Jobpulse's outbound webhooks for the tests: {@code browser-tests/webhook-receiver.mjs},
 * which checks each delivery's signature with the {@code standardwebhooks} npm package, written apart
 * from Jobpulse's signer so that a mistake shared by signer and checker cannot pass. Each path has
 * its secrets and a queue of answers (failures, slow answers) set by {@link #configure}; every request
 * is recorded with the indexes of the secrets that verified it. Like the browser tests, it is skipped
 * without Node.js and npm, and fails instead under CI=true.
 */
final class WebhookReceiver implements AutoCloseable {

    private static final Duration STARTUP = Duration.ofSeconds(30);

    private final NodeScript script;
    private final int port;
    private final HttpClient http = HttpClient.newHttpClient();

    private WebhookReceiver(NodeScript script) {
        this.script = script;
        this.port = script.awaitLine(line -> line.has("listening"), STARTUP).get("listening").asInt();
    }

    /** Starts a receiver on a free port of 127.0.0.1, installing browser-tests/' dependencies first if need be. */
    static WebhookReceiver start() throws IOException, InterruptedException {
        BrowserTests.require(NodeScript.onPath("node") && NodeScript.onPath("npm"), "Node.js and npm are missing");
        NodeScript.install(BrowserTests.folder(), "standardwebhooks");
        return new WebhookReceiver(NodeScript.start(BrowserTests.folder().resolve("webhook-receiver.mjs"), "--port", "0"));
    }

    /** The URL of a path on the receiver, e.g. {@code url("/hooks/a")}. */
    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /**
     * Sets a path's secrets ({@code whsec_...}, in the order whose indexes {@link Received#verifiedBy}
     * names) and the answers its next requests get in turn; after them {@code then} answers all
     * others (null: 200 at once). Replaces what the path had, including answers not yet used.
     */
    void configure(String path, List<String> secrets, List<Answer> answers, Answer then) {
        Map<String, Object> control = new LinkedHashMap<>();
        control.put("path", path);
        control.put("secrets", secrets);
        control.put("answers", answers);
        if (then != null) {
            control.put("then", then);
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(url("/_control")))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JobJson.write(control))).build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("configuring %s: %s", path, response.body()).isEqualTo(204);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The requests the path has received so far, in the order they came. */
    List<Received> received(String path) {
        List<Received> received = new ArrayList<>();
        for (JsonNode line : script.lines) {
            if (line.has("received") && path.equals(line.get("received").get("path").asText())) {
                received.add(JobJson.mapper().convertValue(line.get("received"), Received.class));
            }
        }
        return received;
    }

    /** Waits until the path has received at least {@code count} requests, and returns all it has received. */
    List<Received> awaitReceived(String path, int count, Duration atMost) {
        await().atMost(atMost).untilAsserted(() -> assertThat(received(path))
                .as("requests to %s; the receiver's output: %s", path, script.lines).hasSizeGreaterThanOrEqualTo(count));
        return received(path);
    }

    @Override
    public void close() {
        http.close();
        script.close();
    }

    /**
     * How the receiver answers one request: with this status, after {@code delayMs} (to play a slow
     * or hanging endpoint), with this body text (null: empty).
     */
    record Answer(int status, long delayMs, String body) {

        static Answer status(int status) {
            return new Answer(status, 0, null);
        }

        static Answer delayed(int status, Duration delay) {
            return new Answer(status, delay.toMillis(), null);
        }

        Answer withBody(String body) {
            return new Answer(status, delayMs, body);
        }
    }

    /**
     * One request as the receiver saw it: its webhook headers (null, or 0 for the timestamp, when
     * missing), its raw body, the indexes of the path's secrets that verified it (empty: none did,
     * or it was more than five minutes off the receiver's clock), the status it was answered and
     * when it arrived (epoch milliseconds).
     */
    record Received(String path, String id, long timestamp, String signature, String body,
                    List<Integer> verifiedBy, int answered, long at) {

        /** The body as JSON, e.g. {@code json().get("type").asText()}. */
        JsonNode json() {
            try {
                return JobJson.mapper().readTree(body);
            } catch (IOException e) {
                throw new AssertionError("the body of delivery " + id + " is not JSON: " + body, e);
            }
        }
    }
}
