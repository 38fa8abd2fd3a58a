package io.jobpulse.outbound;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The one component every request on someone's behalf goes through, against a real HTTP server
 * on loopback: targets outside the template and hosts with a forbidden address are never
 * contacted (the address is checked at every request, every address of the host), answers are
 * cut at the size limit and at the time limit, and redirects are not followed.
 */
class OutboundRequestsTest {

    private static final int MIB = 1 << 20;

    private HttpServer server;
    private final AtomicInteger hits = new AtomicInteger();
    private final CountDownLatch release = new CountDownLatch(1);
    private String base;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.createContext("/s/", exchange -> {
            hits.incrementAndGet();
            String id = exchange.getRequestURI().getPath().substring(3);
            try (exchange) {
                switch (id) {
                    case "big" -> {
                        exchange.sendResponseHeaders(200, 5L * MIB);
                        write(exchange.getResponseBody(), 5 * MIB);
                    }
                    case "big-chunked" -> {
                        exchange.sendResponseHeaders(200, 0);
                        write(exchange.getResponseBody(), 5 * MIB);
                    }
                    case "slow" -> {
                        exchange.sendResponseHeaders(200, 0);
                        exchange.getResponseBody().write("{\"status\":".getBytes());
                        exchange.getResponseBody().flush();
                        release.await(30, TimeUnit.SECONDS);
                    }
                    case "moved" -> {
                        exchange.getResponseHeaders().add("Location", "/elsewhere");
                        exchange.sendResponseHeaders(302, -1);
                    }
                    default -> {
                        byte[] body = ("{\"id\":\"" + id + "\",\"auth\":\"" + exchange.getRequestHeaders().getFirst("Authorization") + "\"}").getBytes();
                        exchange.sendResponseHeaders(200, body.length);
                        exchange.getResponseBody().write(body);
                    }
                }
            } catch (IOException | InterruptedException e) {
                // The client went away: what the limits are for.
            }
        });
        server.createContext("/elsewhere", exchange -> {
            hits.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.stop(0);
    }

    private static void write(OutputStream out, int bytes) throws IOException {
        byte[] chunk = new byte[64 * 1024];
        for (int written = 0; written < bytes; written += chunk.length) {
            out.write(chunk);
        }
    }

    private UrlTemplate template() {
        return UrlTemplate.parse(base + "/s/{requestId}");
    }

    private static OutboundConfiguration allowingLoopback(Duration timeout) {
        return new OutboundConfiguration(List.of("127.0.0.1/32"), MIB, timeout, Duration.ofSeconds(2), 2, 5);
    }

    private static Throwable failure(OutboundRequests outbound, UrlTemplate template, String url) {
        try {
            outbound.send("GET", OutboundUrl.parse(url), template, null, Map.of()).get(20, TimeUnit.SECONDS);
            throw new AssertionError("answered");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void sendsWithinTheTemplateToAnAllowedAddressWithTheAuthorization() throws Exception {
        var outbound = new OutboundRequests(allowingLoopback(Duration.ofSeconds(5)));

        var answer = outbound.send("GET", OutboundUrl.parse(base + "/s/r1"), template(), "Bearer t", Map.of()).get(20, TimeUnit.SECONDS);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(new String(answer.body())).isEqualTo("{\"id\":\"r1\",\"auth\":\"Bearer t\"}");
    }

    @Test
    void refusesLoopbackByDefaultAndSendsNothing() {
        var outbound = new OutboundRequests(OutboundConfiguration.allowing(List.of()));

        assertThat(failure(outbound, template(), base + "/s/r1")).isInstanceOf(OutboundRequests.Refused.class)
                .hasMessageContaining("loopback").hasMessageContaining("jobpulse.outbound.allowed-private-networks");
        assertThat(hits).hasValue(0);
    }

    @Test
    void refusesAUrlOutsideTheTemplateAndSendsNothing() {
        var outbound = new OutboundRequests(allowingLoopback(Duration.ofSeconds(5)));

        assertThat(failure(outbound, template(), base + "/elsewhere")).isInstanceOf(OutboundRequests.Refused.class);
        assertThat(failure(outbound, template(), base + "/s/a/../../elsewhere")).isInstanceOf(OutboundRequests.Refused.class);
        assertThat(hits).hasValue(0);
    }

    @Test
    void checksEveryAddressOfTheHostAtEveryRequest() throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        InetAddress metadata = InetAddress.getByName("169.254.169.254");
        Deque<InetAddress[]> answers = new ArrayDeque<>(List.of(new InetAddress[] {loopback}, new InetAddress[] {loopback, metadata}));
        var outbound = new OutboundRequests(allowingLoopback(Duration.ofSeconds(5)), host -> answers.size() > 1 ? answers.pop() : answers.peek());

        assertThat(outbound.send("GET", OutboundUrl.parse(base + "/s/r1"), template(), null, Map.of()).get(20, TimeUnit.SECONDS).status())
                .isEqualTo(200);
        assertThat(failure(outbound, template(), base + "/s/r1")).isInstanceOf(OutboundRequests.Refused.class)
                .hasMessageContaining("link-local");
        assertThat(hits).as("only the first request was sent").hasValue(1);
    }

    @Test
    void refusesAHostThatCannotBeLookedUp() {
        var outbound = new OutboundRequests(allowingLoopback(Duration.ofSeconds(5)), host -> {
            throw new java.net.UnknownHostException(host);
        });

        assertThat(failure(outbound, template(), base + "/s/r1")).isInstanceOf(OutboundRequests.Refused.class);
        assertThat(hits).hasValue(0);
    }

    @Test
    void stopsReadingAtTheSizeLimitWhetherTheLengthIsAnnouncedOrNot() {
        var outbound = new OutboundRequests(allowingLoopback(Duration.ofSeconds(20)));

        assertThat(failure(outbound, template(), base + "/s/big")).isInstanceOf(OutboundRequests.AnswerTooLarge.class);
        assertThat(failure(outbound, template(), base + "/s/big-chunked")).isInstanceOf(OutboundRequests.AnswerTooLarge.class)
                .hasMessageContaining("jobpulse.outbound.max-response-size");
    }

    @Test
    void givesUpOnAnAnswerThatDoesNotEndInTime() {
        var outbound = new OutboundRequests(allowingLoopback(Duration.ofMillis(500)));
        long started = System.nanoTime();

        assertThat(failure(outbound, template(), base + "/s/slow")).isInstanceOf(HttpTimeoutException.class)
                .hasMessageContaining("jobpulse.outbound.request-timeout");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void doesNotFollowRedirects() throws Exception {
        var outbound = new OutboundRequests(allowingLoopback(Duration.ofSeconds(5)));

        var answer = outbound.send("GET", OutboundUrl.parse(base + "/s/moved"), template(), null, Map.of()).get(20, TimeUnit.SECONDS);

        assertThat(answer.status()).isEqualTo(302);
        assertThat(hits).as("the redirect's target was not asked").hasValue(1);
    }

    @Test
    void refusesAConfigurationWhoseAllowedNetworksAreNotAddresses() {
        assertThatThrownBy(() -> new OutboundRequests(OutboundConfiguration.allowing(List.of("localhost"))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("allowed-private-networks");
    }
}
