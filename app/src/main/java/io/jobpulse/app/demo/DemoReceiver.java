package io.jobpulse.app.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.jobpulse.events.JobJson;
import io.jobpulse.ingest.webhooks.StandardWebhookSignature;
import io.jobpulse.ingest.webhooks.WebhookSignature;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The demo's receiver of Jobpulse's outbound webhooks, so that a newcomer sees them arrive with nothing
 * to set up: an HTTP server on loopback ({@code jobpulse.demo.receiver-port}) which, once Jobpulse
 * answers, registers itself through {@code POST /v1/endpoints} as the demo user for the {@code demo.image}
 * jobs tagged {@code demo}, keeps the secret that answer shows once, and checks every delivery's
 * Standard Webhooks signature with it, as an application would, logging one line per delivery
 * ({@code webhook job.succeeded job <id> v5 verified}). A delivery whose signature does not verify is
 * answered 401 (Jobpulse retries it) and logged as refused.
 *
 * <p>An endpoint a previous run registered (the same description) is deleted first: its port is gone,
 * and a new one is picked at each start. The URL is plain http on loopback, which dev allows for this
 * origin alone ({@code jobpulse.notifications.http-origins}) and for loopback through
 * {@code jobpulse.outbound.allowed-private-networks}, as for the pretend provider.
 */
@Singleton
@Requires(property = "jobpulse.demo.enabled", value = "true")
public class DemoReceiver implements ApplicationEventListener<ServerStartupEvent> {

    static final String DESCRIPTION = "dev --demo's receiver";
    private static final String PATH = "/webhooks";
    private static final Logger LOG = LoggerFactory.getLogger(DemoReceiver.class);
    private static final Duration TOLERANCE = Duration.ofMinutes(5);
    private static final Duration SECRET_WAIT = Duration.ofSeconds(10);

    private final DemoUser user;
    private final HttpServer server;
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<String> verified = new CopyOnWriteArrayList<>();
    private final AtomicInteger refused = new AtomicInteger();
    /** Known once the registration answered: a delivery can come before that answer, and waits for it. */
    private final CompletableFuture<WebhookSignature> signature = new CompletableFuture<>();

    public DemoReceiver(DemoUser user, @Property(name = "jobpulse.demo.receiver-port", defaultValue = "0") int port) throws IOException {
        this.user = user;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.createContext(PATH, this::receive);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    /** Where deliveries are sent. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + PATH;
    }

    /** The log line of each delivery whose signature verified, in the order they came. */
    public List<String> verified() {
        return List.copyOf(verified);
    }

    /** How many deliveries were refused for their signature. */
    public int refused() {
        return refused.get();
    }

    @Override
    public void onApplicationEvent(ServerStartupEvent event) {
        URI base = event.getSource().getURI();
        // Registering waits for the deliveries to know the endpoint: off the startup thread.
        Thread.ofVirtual().name("jobpulse-demo-receiver").start(() -> register(base));
    }

    private void register(URI base) {
        try {
            for (JsonNode endpoint : send(base, "GET", "/v1/endpoints", null).path("endpoints")) {
                if (DESCRIPTION.equals(endpoint.path("description").asText())) {
                    send(base, "DELETE", "/v1/endpoints/" + endpoint.get("id").asText(), null);
                }
            }
            Map<String, Object> request = Map.of("url", url(), "description", DESCRIPTION,
                    "filter", Map.of("types", List.of("demo.image"), "tags", List.of("demo")));
            JsonNode created = send(base, "POST", "/v1/endpoints", new String(JobJson.write(request), StandardCharsets.UTF_8));
            signature.complete(new StandardWebhookSignature(List.of(created.get("secret").asText()), List.of(), TOLERANCE));
            LOG.info("demo: webhooks of the demo jobs go to {} (endpoint {}), which checks their signatures", url(), created.get("id").asText());
        } catch (IOException | RuntimeException e) {
            LOG.warn("demo: the receiver could not register its endpoint: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private JsonNode send(URI base, String method, String path, String json) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).header("Authorization", user.authorization())
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<byte[]> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        if (answer.statusCode() >= 300) {
            throw new IOException(method + " " + path + " answered " + answer.statusCode() + ": "
                    + new String(answer.body(), StandardCharsets.UTF_8));
        }
        return answer.body().length == 0 ? JobJson.mapper().createObjectNode() : JobJson.read(answer.body(), JsonNode.class);
    }

    private void receive(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            Map<String, String> headers = new HashMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), values.getFirst()));
            WebhookSignature check = secret();
            WebhookSignature.Verdict verdict = check == null
                    ? new WebhookSignature.Rejected("the receiver has no secret yet")
                    : check.verify(headers, body, Instant.now());
            if (verdict instanceof WebhookSignature.Rejected(String reason)) {
                refused.incrementAndGet();
                LOG.warn("webhook {} refused: {}", headers.get("webhook-id"), reason);
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            String line = describe(JobJson.read(body, JsonNode.class)) + " verified";
            verified.add(line);
            LOG.info(line);
            exchange.sendResponseHeaders(204, -1);
        }
    }

    /** {@code webhook <type> job <id> v<version>}, or {@code webhook ping} for a test delivery. */
    static String describe(JsonNode delivery) {
        JsonNode data = delivery.path("data");
        String type = delivery.path("type").asText();
        return data.has("jobId") ? "webhook " + type + " job " + data.get("jobId").asText() + " v" + data.path("version").asLong()
                : "webhook " + type;
    }

    @PreDestroy
    void stop() {
        server.stop(0);
        http.close();
    }

    /** The endpoint's secret, waited for a while when the registration has not answered yet; null without one. */
    private WebhookSignature secret() {
        try {
            return signature.get(SECRET_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
