package io.jobpulse.app;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** One running Jobpulse application (any set of roles) on a random port, against the {@link TestStack}. */
final class JobpulseInstance implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final EmbeddedServer server;

    private JobpulseInstance(EmbeddedServer server) {
        this.server = server;
    }

    /** The broker and database of the {@link TestStack}, as configuration. */
    static Map<String, Object> stackProperties() {
        TestStack stack = TestStack.get();
        return Map.of(
                "kafka.bootstrap.servers", stack.bootstrapServers,
                "datasources.default.url", stack.jdbcUrl,
                "datasources.default.username", stack.username,
                "datasources.default.password", stack.password);
    }

    static JobpulseInstance start(Map<String, Object> overrides) {
        Map<String, Object> props = new HashMap<>(stackProperties());
        props.put("micronaut.server.port", -1);
        try {
            props.put("jobpulse.topology.state-dir", Files.createTempDirectory("jobpulse-streams").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        props.putAll(overrides);
        return new JobpulseInstance(ApplicationContext.run(EmbeddedServer.class, props));
    }

    static JobpulseInstance allRoles() {
        return start(Map.of());
    }

    URI uri(String path) {
        return server.getURI().resolve(path);
    }

    ApplicationContext context() {
        return server.getApplicationContext();
    }

    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    HttpResponse<String> post(String path, String json) {
        return send(HttpRequest.newBuilder(uri(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    SseClient stream(String path, String lastEventId) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).header("Accept", "text/event-stream");
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        return SseClient.open(HTTP, request.build());
    }

    @Override
    public void close() {
        server.getApplicationContext().close();
    }
}
