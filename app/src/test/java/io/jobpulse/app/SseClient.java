package io.jobpulse.app;

import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A minimal Server-Sent Events reader for tests: collects events until the server ends the
 * stream. Comment lines are kept as events named {@code comment}.
 */
final class SseClient implements AutoCloseable {

    static final String COMMENT = "comment";
    /** What {@link #parse} calls an event with an id and nothing else: it moves the last event id, and EventSource fires nothing. */
    static final String POSITION = "position";

    record Event(String id, String name, String data) {
    }

    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Integer> status = new CompletableFuture<>();
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private volatile Stream<String> lines;
    private volatile String position;

    static SseClient open(HttpClient http, HttpRequest request) {
        SseClient client = new SseClient();
        http.sendAsync(request, HttpResponse.BodyHandlers.ofLines()).whenComplete((response, error) -> {
            if (error != null) {
                client.status.completeExceptionally(error);
                client.ended.completeExceptionally(error);
                return;
            }
            client.status.complete(response.statusCode());
            client.lines = response.body();
            Thread.ofVirtual().start(() -> client.read(response.body()));
        });
        return client;
    }

    private void read(Stream<String> body) {
        try {
            parse(body, event -> {
                if (event.name().equals(POSITION)) {
                    position = event.id();
                } else {
                    events.add(event);
                }
            });
            ended.complete(null);
        } catch (UncheckedIOException e) {
            ended.completeExceptionally(e);
        } catch (IllegalStateException closedBeforeRead) {
            // Closed by the test before this reader began: nothing more to read.
            ended.complete(null);
        }
    }

    /** Reads an event stream to its end, handing over each event (a comment as one named {@link #COMMENT}), as it comes. */
    static void parse(Stream<String> body, Consumer<Event> onEvent) {
        String id = null;
        String name = null;
        StringBuilder data = new StringBuilder();
        for (String line : (Iterable<String>) body::iterator) {
            if (line.isEmpty()) {
                if (!data.isEmpty() || name != null) {
                    onEvent.accept(new Event(id, name == null ? "message" : name, data.toString()));
                } else if (id != null) {
                    onEvent.accept(new Event(id, POSITION, ""));
                }
                id = null;
                name = null;
                data.setLength(0);
            } else if (line.startsWith("id:")) {
                id = line.substring(3).strip();
            } else if (line.startsWith("event:")) {
                name = line.substring(6).strip();
            } else if (line.startsWith("data:")) {
                data.append(data.isEmpty() ? "" : "\n").append(line.substring(5).strip());
            } else if (line.startsWith(":")) {
                onEvent.accept(new Event(null, COMMENT, line.substring(1).strip()));
            }
        }
    }

    int status() {
        return status.orTimeout(30, TimeUnit.SECONDS).join();
    }

    List<Event> events() {
        return new ArrayList<>(events);
    }

    List<Event> events(String name) {
        return events.stream().filter(e -> e.name().equals(name)).toList();
    }

    /** The job updates received: {@code status} and {@code progress} events, in order. */
    List<Event> updates() {
        return events.stream().filter(e -> e.name().equals("status") || e.name().equals("progress")).toList();
    }

    /** The id of the last event that carried only an id (a multi-job stream's position), or null. */
    String position() {
        return position;
    }

    boolean hasEnded() {
        return ended.isDone();
    }

    /** Waits for the server to end the stream. */
    void awaitEnd(Duration timeout) {
        ended.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    @Override
    public void close() {
        Stream<String> body = lines;
        if (body != null) {
            body.close();
        }
    }
}
