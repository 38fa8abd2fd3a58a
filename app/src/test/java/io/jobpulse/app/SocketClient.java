package io.jobpulse.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.events.JobJson;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;

/** A WebSocket client of {@code /v1/ws} that keeps every message, counts pings and records how it was closed. */
final class SocketClient implements WebSocket.Listener, AutoCloseable {

    final List<JsonNode> messages = new CopyOnWriteArrayList<>();
    final List<String> pings = new CopyOnWriteArrayList<>();
    /** "code reason" of the server's close, if it closed. */
    final List<String> closes = new CopyOnWriteArrayList<>();
    /** How the connection failed, if it did without a close frame. */
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final StringBuilder partial = new StringBuilder();
    private final WebSocket socket;

    /**
     * @param path          {@code /v1/ws}, with {@code ?token=} for a stream token
     * @param authorization the Authorization header, or null for none
     */
    SocketClient(JobpulseInstance jobpulse, String path, String authorization) {
        this(jobpulse, path, authorization, null);
    }

    /**
     * @param origin the Origin header a browser sends (the page's {@code scheme://host:port}), or null for none
     */
    SocketClient(JobpulseInstance jobpulse, String path, String authorization, String origin) {
        socket = builder(authorization, origin).buildAsync(socketUri(jobpulse, path), this).join();
    }

    static URI socketUri(JobpulseInstance jobpulse, String path) {
        return URI.create(jobpulse.uri(path).toString().replaceFirst("^http", "ws"));
    }

    static WebSocket.Builder builder(String authorization, String origin) {
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder();
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        if (origin != null) {
            builder.header("Origin", origin);
        }
        return builder;
    }

    /** A socket of the tests' usual user. */
    SocketClient(JobpulseInstance jobpulse) {
        this(jobpulse, "/v1/ws", "Bearer " + JobpulseInstance.token(JobpulseInstance.USER));
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            try {
                messages.add(JobJson.mapper().readTree(partial.toString()));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
        pings.add("ping");
        return WebSocket.Listener.super.onPing(webSocket, message);
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closes.add(statusCode + " " + reason);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        errors.add(error);
    }

    void send(String json) {
        socket.sendText(json, true).join();
    }

    /** Starts a clean close with this code, as a client's {@code close()} does. */
    void sendClose(int code) {
        socket.sendClose(code, "done").join();
    }

    /** The answers, in the order they came: every message but updates, ends and the server's notices. */
    List<JsonNode> answers() {
        return messages.stream().filter(m -> m.has("id") && !m.path("type").asText().equals("end")).toList();
    }

    JsonNode awaitMessage(Predicate<JsonNode> match) {
        await().atMost(Duration.ofSeconds(20)).until(() -> messages.stream().anyMatch(match));
        return messages.stream().filter(match).findFirst().orElseThrow();
    }

    List<JsonNode> updatesOf(String subscription) {
        return messages.stream().filter(m -> m.path("type").asText().equals("update")
                && m.path("subscription").asText().equals(subscription)).toList();
    }

    /** Messages of a type. */
    List<JsonNode> ofType(String type) {
        return messages.stream().filter(m -> m.path("type").asText().equals(type)).toList();
    }

    @Override
    public void close() {
        socket.abort();
    }
}
