package io.jobpulse.app.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A pretend image model, Replicate-style, on loopback, for {@code ./jobpulse dev --demo} and the
 * tests: predictions start, progress over a few seconds (the logs carry {@code NN%|} bars) and
 * succeed or, one in six, fail. It serves {@code GET /v1/predictions/{id}} (answering 500 one
 * time in eight) and calls back one webhook URL for all predictions, signed the Standard Webhooks
 * way with the {@code demo} provider's secret, and it misbehaves the way real providers do: it
 * drops some callbacks, sends some twice, and sends some stale ones after newer ones.
 */
@Singleton
@Requires(property = "jobpulse.demo.enabled", value = "true")
public class DemoProvider {

    private static final Logger LOG = LoggerFactory.getLogger(DemoProvider.class);

    /** One pretend prediction. */
    private record Prediction(String id, Instant created, Duration takes, boolean fails) {
    }

    private final HttpServer server;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ScheduledExecutorService callbacks = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("jobpulse-demo-provider").daemon().factory());
    private final Map<String, Prediction> predictions = new ConcurrentHashMap<>();
    private final Map<String, String> lastCalledBack = new ConcurrentHashMap<>();
    private final byte[] secret;
    private final Random random;
    private volatile URI webhook;
    private final AtomicInteger dropped = new AtomicInteger();
    private final AtomicInteger duplicated = new AtomicInteger();
    private final AtomicInteger stale = new AtomicInteger();

    public DemoProvider(@Property(name = "jobpulse.providers.demo.secrets") List<String> secrets,
                        @Property(name = "jobpulse.demo.seed", defaultValue = "0") long seed) throws IOException {
        this.secret = Base64.getDecoder().decode(secrets.getFirst().replaceFirst("^whsec_", ""));
        this.random = seed == 0 ? new Random() : new Random(seed);
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/predictions/", this::status);
        server.start();
        callbacks.scheduleWithFixedDelay(this::callBack, 300, 300, TimeUnit.MILLISECONDS);
    }

    /** Starts calling back to this URL (Jobpulse's own webhook endpoint for the demo provider). */
    void callBackTo(URI webhookUrl) {
        this.webhook = webhookUrl;
    }

    /** A new prediction; returns its id. */
    synchronized String create() {
        String id = "demo-" + UUID.randomUUID().toString().substring(0, 8);
        predictions.put(id, new Prediction(id, Instant.now(), Duration.ofMillis(3_000 + random.nextInt(5_000)), random.nextInt(6) == 0));
        return id;
    }

    /** How many callbacks it has dropped, doubled or followed with a stale one so far. */
    public int misbehaved() {
        return dropped.get() + duplicated.get() + stale.get();
    }

    String statusUrl(String id) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/predictions/" + id;
    }

    /** The prediction as the provider's API shows it now. */
    private static String json(Prediction prediction, Instant now) {
        long elapsed = Duration.between(prediction.created(), now).toMillis();
        if (elapsed < 1_000) {
            return "{\"id\":\"" + prediction.id() + "\",\"status\":\"starting\",\"logs\":\"\"}";
        }
        if (elapsed < prediction.takes().toMillis()) {
            int percent = (int) (100 * (elapsed - 1_000) / (prediction.takes().toMillis() - 1_000));
            return "{\"id\":\"" + prediction.id() + "\",\"status\":\"processing\",\"logs\":\"" + percent + "%|\"}";
        }
        return prediction.fails()
                ? "{\"id\":\"" + prediction.id() + "\",\"status\":\"failed\",\"error\":\"the pretend GPU ran out of memory\",\"logs\":\"\"}"
                : "{\"id\":\"" + prediction.id() + "\",\"status\":\"succeeded\",\"output\":[\"https://demo.invalid/" + prediction.id()
                        + ".png\"],\"logs\":\"100%|\"}";
    }

    private void status(HttpExchange exchange) throws IOException {
        String id = exchange.getRequestURI().getPath().substring("/v1/predictions/".length());
        Prediction prediction = predictions.get(id);
        int status;
        String body;
        synchronized (this) {
            status = prediction == null ? 404 : random.nextInt(8) == 0 ? 500 : 200;
        }
        body = status == 200 ? json(prediction, Instant.now()) : "{\"detail\":\"" + (status == 404 ? "not found" : "try again") + "\"}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    /** Calls back for every prediction whose status moved since its last callback, misbehaving now and then. */
    private void callBack() {
        URI target = webhook;
        if (target == null) {
            return;
        }
        Instant now = Instant.now();
        for (Prediction prediction : predictions.values()) {
            String body = json(prediction, now);
            String status = body.replaceFirst(".*\"status\":\"([a-z]+)\".*", "$1");
            String previous = lastCalledBack.put(prediction.id(), status);
            if (status.equals(previous)) {
                continue;
            }
            int dice;
            synchronized (this) {
                dice = random.nextInt(10);
            }
            String delivery = "msg_" + UUID.randomUUID();
            if (dice < 2) {
                dropped.incrementAndGet();
                continue;
            }
            send(target, delivery, body, now);
            if (dice == 2) {
                duplicated.incrementAndGet();
                send(target, delivery, body, now);
            }
            if (dice == 3 && previous != null) {
                stale.incrementAndGet();
                send(target, "msg_" + UUID.randomUUID(), "{\"id\":\"" + prediction.id() + "\",\"status\":\"starting\",\"logs\":\"\"}", now);
            }
            if (status.equals("succeeded") || status.equals("failed")) {
                predictions.remove(prediction.id(), prediction);
            }
        }
    }

    private void send(URI target, String delivery, String body, Instant at) {
        String timestamp = Long.toString(at.getEpochSecond());
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            String signature = Base64.getEncoder().encodeToString(
                    mac.doFinal((delivery + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
            http.send(HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                    .header("webhook-id", delivery).header("webhook-timestamp", timestamp).header("webhook-signature", "v1," + signature)
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding());
        } catch (IOException | GeneralSecurityException e) {
            LOG.debug("demo callback not delivered: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @PreDestroy
    void stop() {
        callbacks.shutdownNow();
        server.stop(0);
    }
}
