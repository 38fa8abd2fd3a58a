package io.jobpulse.app.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.jobpulse.events.JobJson;
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
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A pretend image model on loopback that behaves like the APIs Jobpulse follows, for
 * {@code ./jobpulse dev --demo} and for the tests. It takes predictions the Replicate way
 * ({@code POST /v1/predictions} with an optional {@code webhook}), lets them progress over a few
 * seconds and succeed or fail, and serves each one's status in three dialects:
 * <ul>
 *   <li>Replicate: {@code GET /v1/predictions/{id}}, cancel with {@code POST /v1/predictions/{id}/cancel};</li>
 *   <li>Bria: {@code GET /v2/status/{id}};</li>
 *   <li>OpenAI batch: {@code GET /v1/batches/{id}}.</li>
 * </ul>
 * A prediction that succeeds has a picture, {@code GET /outputs/{id}.png}, which its status names.
 * It calls a prediction's webhook at every change of status, signed the Standard Webhooks way,
 * and misbehaves as its {@link Behaviour} says: some status calls answer 500, some callbacks are
 * dropped, some sent twice, some followed by a stale one. Tests may also script a request id's
 * status answers, and read which requests, credentials and cancels arrived.
 */
public final class PretendProvider implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PretendProvider.class);

    /**
     * How the provider behaves.
     *
     * @param seed          the seed of its dice; 0 for a random one
     * @param failureRate   the share of predictions that fail (an input {@code "fail": true} always does)
     * @param errorRate     the share of status calls answered 500
     * @param dropRate      the share of callbacks never sent
     * @param duplicateRate the share of callbacks sent twice with the same delivery id
     * @param staleRate     the share of callbacks followed by a stale one (an older status)
     * @param shortest      the least time a prediction takes
     * @param longest       the most time a prediction takes
     * @param secret        the Standard Webhooks secret its callbacks are signed with
     */
    public record Behaviour(long seed, double failureRate, double errorRate, double dropRate, double duplicateRate,
                            double staleRate, Duration shortest, Duration longest, byte[] secret) {

        /** A demo's provider: it fails, errs and loses callbacks now and then. */
        public static Behaviour unreliable(byte[] secret, long seed) {
            return new Behaviour(seed, 1 / 6.0, 1 / 8.0, 0.2, 0.1, 0.1, Duration.ofSeconds(3), Duration.ofSeconds(8), secret);
        }

        /** A provider that does everything right, quickly. */
        public static Behaviour reliable(byte[] secret) {
            return new Behaviour(0, 0, 0, 0, 0, 0, Duration.ofMillis(1_500), Duration.ofMillis(2_500), secret);
        }

        public Behaviour withDurations(Duration least, Duration most) {
            return new Behaviour(seed, failureRate, errorRate, dropRate, duplicateRate, staleRate, least, most, secret);
        }

        public Behaviour withCallbacks(double drop, double duplicate, double stale) {
            return new Behaviour(seed, failureRate, errorRate, drop, duplicate, stale, shortest, longest, secret);
        }
    }

    /** One scripted status answer. */
    public record Answer(int status, String body, Map<String, String> headers) {
        public static Answer ok(String body) {
            return new Answer(200, body, Map.of());
        }
    }

    /** One prediction and the webhook it calls, if any. */
    private record Prediction(String id, Instant created, Duration takes, boolean fails, URI webhook) {
    }

    /** The stages a prediction goes through, and how far along it is. */
    private enum Stage { STARTING, PROCESSING, SUCCEEDED, FAILED, CANCELED }

    private record Reading(Stage stage, int percent) {
    }

    private final Behaviour behaviour;
    private final HttpServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ScheduledExecutorService callbacks = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("jobpulse-pretend-provider").daemon().factory());
    private final Random random;
    private final Map<String, Prediction> predictions = new ConcurrentHashMap<>();
    private final Map<String, Stage> canceled = new ConcurrentHashMap<>();
    private final Map<String, Stage> lastCalledBack = new ConcurrentHashMap<>();
    private final Map<String, Deque<Answer>> scripts = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> statusCalls = new ConcurrentHashMap<>();
    private final Map<String, Integer> cancelStatuses = new ConcurrentHashMap<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final List<String> cancels = new CopyOnWriteArrayList<>();
    private final AtomicInteger dropped = new AtomicInteger();
    private final AtomicInteger duplicated = new AtomicInteger();
    private final AtomicInteger stale = new AtomicInteger();

    public PretendProvider(Behaviour behaviour) throws IOException {
        this(behaviour, 0);
    }

    /** A provider on a port of loopback chosen in advance (0: any free one), so that configuration can name its URLs. */
    public PretendProvider(Behaviour behaviour, int port) throws IOException {
        this.behaviour = behaviour;
        this.random = behaviour.seed() == 0 ? new Random() : new Random(behaviour.seed());
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.createContext("/v1/predictions", this::predictions);
        server.createContext("/v2/status/", exchange -> status(exchange, "/v2/status/", this::bria));
        server.createContext("/outputs/", this::output);
        server.createContext("/v1/batches/", exchange -> status(exchange, "/v1/batches/", PretendProvider::openAiBatch));
        server.start();
        callbacks.scheduleWithFixedDelay(this::callBack, 200, 200, TimeUnit.MILLISECONDS);
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Replicate's status URL of a request. */
    public String predictionUrl(String id) {
        return baseUrl() + "/v1/predictions/" + id;
    }

    /** Replicate's status URL template, as a provider's {@code status-url} takes it. */
    public String predictionUrlTemplate() {
        return baseUrl() + "/v1/predictions/{requestId}";
    }

    /** Where a prediction's picture is. */
    public String outputUrl(String id) {
        return baseUrl() + "/outputs/" + id + ".png";
    }

    /** Bria's status URL template. */
    public String briaStatusUrlTemplate() {
        return baseUrl() + "/v2/status/{requestId}";
    }

    /** Bria's status URL of a request. */
    public String briaStatusUrl(String id) {
        return baseUrl() + "/v2/status/" + id;
    }

    /**
     * Creates a prediction as {@code POST /v1/predictions} does; returns its id.
     *
     * @param fail    whether it is to fail, whatever the dice say
     * @param webhook where to call back, or null for none
     */
    public String create(boolean fail, URI webhook) {
        String id = "p-" + UUID.randomUUID().toString().substring(0, 12);
        long spread = behaviour.longest().toMillis() - behaviour.shortest().toMillis();
        synchronized (random) {
            Duration takes = behaviour.shortest().plusMillis(spread <= 0 ? 0 : random.nextLong(spread + 1));
            predictions.put(id, new Prediction(id, Instant.now(), takes, fail || random.nextDouble() < behaviour.failureRate(), webhook));
        }
        return id;
    }

    /** Replaces what status calls for this request id answer from now on: in turn, the last one repeating. */
    public void script(String requestId, Answer... answers) {
        scripts.put(requestId, new ArrayDeque<>(List.of(answers)));
    }

    /** How many status calls of this request id arrived, in any dialect. */
    public int requests(String requestId) {
        return statusCalls.computeIfAbsent(requestId, id -> new AtomicInteger()).get();
    }

    /** The Authorization header of every status call, in order ("null" when none was sent). */
    public List<String> authorizations() {
        return List.copyOf(authorizations);
    }

    /** Every cancel call received, as "METHOD path Authorization". */
    public List<String> cancels() {
        return List.copyOf(cancels);
    }

    /** Makes cancels of this request id answer the given status (and change nothing unless it is 2xx). */
    public void cancelAnswers(String requestId, int status) {
        cancelStatuses.put(requestId, status);
    }

    /** How many callbacks it has dropped, doubled or followed with a stale one so far. */
    public int misbehaved() {
        return dropped.get() + duplicated.get() + stale.get();
    }

    private void predictions(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        if (path.equals("/v1/predictions") && method.equals("POST")) {
            JsonNode body = JobJson.read(exchange.getRequestBody().readAllBytes(), JsonNode.class);
            String webhook = body.path("webhook").asText(null);
            String id = create(body.path("input").path("fail").asBoolean(false), webhook == null ? null : URI.create(webhook));
            respond(exchange, 201, replicate(predictions.get(id), read(id)).toString(), Map.of());
        } else if (path.endsWith("/cancel") && method.equals("POST")) {
            cancel(exchange, path.substring("/v1/predictions/".length(), path.length() - "/cancel".length()));
        } else if (method.equals("GET") && path.startsWith("/v1/predictions/")) {
            status(exchange, "/v1/predictions/", this::replicate);
        } else {
            respond(exchange, 404, "{\"detail\":\"not found\"}", Map.of());
        }
    }

    /** A succeeded prediction's picture; browsers of the dashboard load it from anywhere, so it says so. */
    private void output(HttpExchange exchange) throws IOException {
        String name = exchange.getRequestURI().getPath().substring("/outputs/".length());
        String id = name.endsWith(".png") ? name.substring(0, name.length() - ".png".length()) : "";
        if (!exchange.getRequestMethod().equals("GET") || !predictions.containsKey(id) || read(id).stage() != Stage.SUCCEEDED) {
            respond(exchange, 404, "{\"detail\":\"not found\"}", Map.of());
            return;
        }
        byte[] png = DemoPicture.png(id);
        exchange.getResponseHeaders().add("Content-Type", "image/png");
        exchange.getResponseHeaders().add("Cache-Control", "public, max-age=86400, immutable");
        exchange.getResponseHeaders().add("Access-Control-Allow-Origin", "*");
        exchange.sendResponseHeaders(200, png.length);
        exchange.getResponseBody().write(png);
        exchange.close();
    }

    private void cancel(HttpExchange exchange, String id) throws IOException {
        cancels.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + " "
                + exchange.getRequestHeaders().getFirst("Authorization"));
        int status = cancelStatuses.getOrDefault(id, 200);
        if (status / 100 == 2 && predictions.containsKey(id)) {
            canceled.putIfAbsent(id, Stage.CANCELED);
        }
        respond(exchange, status, "{\"id\":\"" + id + "\",\"status\":\"canceled\"}", Map.of());
    }

    /** How one dialect shows a prediction. */
    private interface Dialect {
        ObjectNode show(Prediction prediction, Reading reading);
    }

    private void status(HttpExchange exchange, String prefix, Dialect dialect) throws IOException {
        String id = exchange.getRequestURI().getPath().substring(prefix.length());
        statusCalls.computeIfAbsent(id, key -> new AtomicInteger()).incrementAndGet();
        authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
        Deque<Answer> script = scripts.get(id);
        if (script != null) {
            Answer answer;
            synchronized (script) {
                answer = script.size() > 1 ? script.removeFirst() : script.getFirst();
            }
            respond(exchange, answer.status(), answer.body(), answer.headers());
            return;
        }
        Prediction prediction = predictions.get(id);
        boolean err;
        synchronized (random) {
            err = random.nextDouble() < behaviour.errorRate();
        }
        if (prediction == null) {
            respond(exchange, 404, "{\"detail\":\"not found\"}", Map.of());
        } else if (err) {
            respond(exchange, 500, "{\"detail\":\"try again\"}", Map.of());
        } else {
            respond(exchange, 200, dialect.show(prediction, read(id)).toString(), Map.of());
        }
    }

    private Reading read(String id) {
        Prediction prediction = predictions.get(id);
        if (canceled.containsKey(id)) {
            return new Reading(Stage.CANCELED, 0);
        }
        long elapsed = Duration.between(prediction.created(), Instant.now()).toMillis();
        long queued = Math.min(500, prediction.takes().toMillis() / 3);
        if (elapsed < queued) {
            return new Reading(Stage.STARTING, 0);
        }
        if (elapsed < prediction.takes().toMillis()) {
            return new Reading(Stage.PROCESSING, (int) (100 * (elapsed - queued) / (prediction.takes().toMillis() - queued)));
        }
        return new Reading(prediction.fails() ? Stage.FAILED : Stage.SUCCEEDED, 100);
    }

    private ObjectNode replicate(Prediction prediction, Reading reading) {
        ObjectNode json = JsonNodeFactory.instance.objectNode().put("id", prediction.id());
        json.put("status", switch (reading.stage()) {
            case STARTING -> "starting";
            case PROCESSING -> "processing";
            case SUCCEEDED -> "succeeded";
            case FAILED -> "failed";
            case CANCELED -> "canceled";
        });
        json.put("logs", reading.stage() == Stage.PROCESSING || reading.stage() == Stage.SUCCEEDED ? reading.percent() + "%|" : "");
        json.putObject("urls").put("get", predictionUrl(prediction.id())).put("cancel", predictionUrl(prediction.id()) + "/cancel");
        if (reading.stage() == Stage.SUCCEEDED) {
            json.putArray("output").add(outputUrl(prediction.id()));
            json.putObject("metrics").put("predict_time", prediction.takes().toMillis() / 1000.0);
        }
        if (reading.stage() == Stage.FAILED) {
            json.put("error", "the pretend GPU ran out of memory");
        }
        return json;
    }

    private ObjectNode bria(Prediction prediction, Reading reading) {
        ObjectNode json = JsonNodeFactory.instance.objectNode().put("request_id", prediction.id());
        json.put("status", switch (reading.stage()) {
            case STARTING, PROCESSING -> "IN_PROGRESS";
            case SUCCEEDED -> "COMPLETED";
            case FAILED, CANCELED -> "ERROR";
        });
        if (reading.stage() == Stage.SUCCEEDED) {
            json.putObject("result").put("image_url", outputUrl(prediction.id())).put("seed", 7);
        }
        if (reading.stage() == Stage.FAILED || reading.stage() == Stage.CANCELED) {
            json.putObject("error").put("code", 500).put("message", "the pretend GPU ran out of memory");
        }
        return json;
    }

    private static ObjectNode openAiBatch(Prediction prediction, Reading reading) {
        ObjectNode json = JsonNodeFactory.instance.objectNode().put("id", prediction.id()).put("object", "batch");
        json.put("status", switch (reading.stage()) {
            case STARTING -> "validating";
            case PROCESSING -> "in_progress";
            case SUCCEEDED -> "completed";
            case FAILED -> "failed";
            case CANCELED -> "cancelled";
        });
        int total = 100;
        json.putObject("request_counts").put("total", total).put("completed", reading.percent()).put("failed", 0);
        if (reading.stage() == Stage.SUCCEEDED) {
            json.put("output_file_id", "file-" + prediction.id());
        }
        return json;
    }

    /** Calls back for every prediction whose stage moved since its last callback, misbehaving as told. */
    private void callBack() {
        for (Prediction prediction : predictions.values()) {
            if (prediction.webhook() == null) {
                continue;
            }
            Reading reading = read(prediction.id());
            Stage previous = lastCalledBack.put(prediction.id(), reading.stage());
            if (reading.stage() == previous) {
                continue;
            }
            double dice;
            synchronized (random) {
                dice = random.nextDouble();
            }
            String body = replicate(prediction, reading).toString();
            String delivery = "msg_" + UUID.randomUUID();
            if (dice < behaviour.dropRate()) {
                dropped.incrementAndGet();
            } else {
                send(prediction.webhook(), delivery, body);
                if (dice < behaviour.dropRate() + behaviour.duplicateRate()) {
                    duplicated.incrementAndGet();
                    send(prediction.webhook(), delivery, body);
                } else if (dice < behaviour.dropRate() + behaviour.duplicateRate() + behaviour.staleRate() && previous != null) {
                    stale.incrementAndGet();
                    send(prediction.webhook(), "msg_" + UUID.randomUUID(), replicate(prediction, new Reading(Stage.STARTING, 0)).toString());
                }
            }
        }
    }

    private void send(URI target, String delivery, String body) {
        String timestamp = Long.toString(Instant.now().getEpochSecond());
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(behaviour.secret(), "HmacSHA256"));
            String signature = Base64.getEncoder().encodeToString(
                    mac.doFinal((delivery + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
            http.send(HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                    .header("webhook-id", delivery).header("webhook-timestamp", timestamp).header("webhook-signature", "v1," + signature)
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding());
        } catch (IOException | GeneralSecurityException e) {
            LOG.debug("pretend callback not delivered: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void respond(HttpExchange exchange, int status, String body, Map<String, String> headers) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        headers.forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Override
    public void close() {
        callbacks.shutdownNow();
        server.stop(0);
    }
}
