package io.jobpulse.app;

import io.jobpulse.app.security.JwtSecret;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.awaitility.Awaitility;

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

/**
 * One running Jobpulse application (any set of roles) on a random port, against the {@link TestStack}.
 * Its requests carry {@link #USER}'s token unless they set their own Authorization header.
 */
final class JobpulseInstance implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** The JWT secret of every test instance. */
    static final String JWT_SECRET = "the test instances' HS256 secret, 32+ bytes";
    /** The issuer and audience every test instance wants in a JWT. */
    static final String JWT_ISSUER = "jobpulse-test";
    static final String JWT_AUDIENCE = "jobpulse";
    /** The server-side signing key of every test instance (webhook URL tokens, idempotent ids). */
    static final String SIGNING_KEY = "the test instances' signing key, 32+ bytes";
    /** The user whose token requests carry by default. */
    static final String USER = "alice";

    private final EmbeddedServer server;

    private JobpulseInstance(EmbeddedServer server) {
        this.server = server;
    }

    /**
     * Lets Jobpulse call providers on this machine's loopback (the pretend provider and fakes), which it
     * refuses by default.
     */
    static final Map<String, Object> LOOPBACK_ALLOWED = Map.of("jobpulse.outbound.allowed-private-networks", "127.0.0.1/32");

    /** The broker and database of the {@link TestStack}, as configuration. */
    /** The test stack as the environment of an operator command names it. */
    static Deployment stackDeployment() {
        TestStack stack = TestStack.get();
        return Deployment.of(Map.of("KAFKA_BOOTSTRAP_SERVERS", stack.bootstrapServers, "JDBC_URL", stack.jdbcUrl,
                "JDBC_USERNAME", stack.username, "JDBC_PASSWORD", stack.password));
    }

    static Map<String, Object> stackProperties() {
        TestStack stack = TestStack.get();
        Map<String, Object> props = new HashMap<>();
        props.put("kafka.bootstrap.servers", stack.bootstrapServers);
        props.put("datasources.default.url", stack.jdbcUrl);
        props.put("datasources.default.username", stack.username);
        props.put("datasources.default.password", stack.password);
        props.put("jobpulse.security.jwt-secret", JWT_SECRET);
        props.put("jobpulse.security.jwt-issuer", JWT_ISSUER);
        props.put("jobpulse.security.jwt-audience", JWT_AUDIENCE);
        props.put("jobpulse.security.signing-key", SIGNING_KEY);
        // The tests share one address and user; the limits have tests of their own.
        props.put("jobpulse.limits.per-ip-per-second", "100000");
        props.put("jobpulse.limits.per-ip-burst", "100000");
        props.put("jobpulse.limits.per-caller-per-second", "100000");
        props.put("jobpulse.limits.per-caller-burst", "100000");
        props.put("jobpulse.push.max-connections-per-caller", "10000");
        return Map.copyOf(props);
    }

    /** A user's token (JWT, HS256) with the user's usual scopes, or with {@code scope} (space-separated). */
    static String token(String user, String scope) {
        return JwtSecret.mint(JWT_SECRET, JWT_ISSUER, JWT_AUDIENCE, user, scope, Duration.ofHours(1));
    }

    static String token(String user) {
        return token(user, null);
    }

    /** An administrator's token: every scope over every owner's jobs. */
    static String adminToken() {
        return token("operator", "jobpulse:admin");
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

    /** Sends a request, as {@link #USER} unless it names its own credential. */
    HttpResponse<String> send(HttpRequest.Builder request) {
        HttpRequest built = request.timeout(Duration.ofSeconds(30)).build();
        if (built.headers().firstValue("Authorization").isEmpty()) {
            built = HttpRequest.newBuilder(built, (name, value) -> true).header("Authorization", "Bearer " + token(USER)).build();
        }
        return sendAsIs(built);
    }

    /** Sends a request exactly as built: without a credential unless it has one. */
    HttpResponse<String> sendAsIs(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Waits until the job holds this provider request: the router grants the first claim of a request
     * a moment after the event that proposed it, and only then do cancels reach the provider.
     */
    void awaitRequestGranted(String job, String requestId) {
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() ->
                SliceEndToEndTest.json(get("/v1/jobs/" + job)).at("/provider/requestId").asText().equals(requestId));
    }

    SseClient stream(String path, String lastEventId) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).header("Accept", "text/event-stream")
                .header("Authorization", "Bearer " + token(USER));
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
