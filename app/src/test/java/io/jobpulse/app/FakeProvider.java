package io.jobpulse.app;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A provider's status service on loopback, Bria-style ({@code GET /v2/status/<request id>}), for
 * polling tests: each request id answers from a script of responses, the last one repeating; it
 * records the Authorization header of every request.
 */
final class FakeProvider implements AutoCloseable {

    /** One scripted answer. */
    record Answer(int status, String body, Map<String, String> headers) {
        static Answer ok(String body) {
            return new Answer(200, body, Map.of());
        }
    }

    private final HttpServer server;
    private final Map<String, Deque<Answer>> scripts = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final List<String> cancels = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> cancelStatuses = new ConcurrentHashMap<>();

    FakeProvider() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v2/status/", this::answer);
        server.createContext("/v1/predictions/", this::cancel);
        server.start();
    }

    String statusUrl(String requestId) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v2/status/" + requestId;
    }

    /** Replaces what the request id answers from now on. */
    void script(String requestId, Answer... answers) {
        scripts.put(requestId, new ArrayDeque<>(List.of(answers)));
    }

    int requests(String requestId) {
        return requests.computeIfAbsent(requestId, id -> new AtomicInteger()).get();
    }

    List<String> authorizations() {
        return List.copyOf(authorizations);
    }

    /** Replicate-style cancels: {@code POST /v1/predictions/<id>/cancel}, answered by the cancel script of the id. */
    private void cancel(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String requestId = path.substring("/v1/predictions/".length()).replaceFirst("/cancel$", "");
        cancels.add(exchange.getRequestMethod() + " " + path + " " + exchange.getRequestHeaders().getFirst("Authorization"));
        int status = cancelStatuses.getOrDefault(requestId, 200);
        byte[] body = ("{\"id\":\"" + requestId + "\",\"status\":\"canceled\"}").getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Every cancel call received, as "METHOD path Authorization". */
    List<String> cancels() {
        return List.copyOf(cancels);
    }

    /** Makes cancels of this request id answer the given status. */
    void cancelAnswers(String requestId, int status) {
        cancelStatuses.put(requestId, status);
    }

    private void answer(HttpExchange exchange) throws IOException {
        String requestId = exchange.getRequestURI().getPath().substring("/v2/status/".length());
        requests.computeIfAbsent(requestId, id -> new AtomicInteger()).incrementAndGet();
        authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
        Deque<Answer> script = scripts.get(requestId);
        Answer answer;
        synchronized (this) {
            answer = script == null ? new Answer(404, "{\"error\":\"unknown request\"}", Map.of())
                    : script.size() > 1 ? script.removeFirst() : script.getFirst();
        }
        byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
        answer.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(answer.status(), body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
