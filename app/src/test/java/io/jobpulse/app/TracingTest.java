package io.jobpulse.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.jobpulse.events.Topics;
import io.jobpulse.ingest.ProviderCancels;
import io.jobpulse.events.TraceHeaders;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One job's journey is one trace, against the real broker, with spans exported to an OTLP/HTTP
 * receiver in the test: the {@code traceparent} a submission and its reports come with is the
 * parent of the request's server span, the Kafka write, the topology's fold and the push; it is on
 * the {@code jobpulse.job-status} records, in the SSE and WebSocket updates, on the provider's poll and cancel requests and in
 * the request log line's MDC. A request without one starts a trace of its own.
 */
class TracingTest {

    private static final byte[] BRIA_SECRET = "bria's webhook secret, 32 bytes!".getBytes(StandardCharsets.UTF_8);
    private static final SecureRandom RANDOM = new SecureRandom();

    private static HttpServer otlp;
    private static HttpServer provider;
    private static final List<byte[]> exports = new CopyOnWriteArrayList<>();
    private static final List<String> pollTraceparents = new CopyOnWriteArrayList<>();
    private static final List<String> cancelTraceparents = new CopyOnWriteArrayList<>();
    private static JobpulseInstance jobpulse;

    @BeforeAll
    static void start() throws IOException {
        otlp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        otlp.createContext("/v1/traces", exchange -> {
            exports.add(exchange.getRequestBody().readAllBytes());
            exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        otlp.start();
        provider = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        provider.createContext("/v2/status/", exchange -> {
            pollTraceparents.add(exchange.getRequestHeaders().getFirst("traceparent"));
            byte[] body = "{\"status\":\"IN_PROGRESS\",\"request_id\":\"t1\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        provider.createContext("/v2/cancel/", exchange -> {
            cancelTraceparents.add(exchange.getRequestHeaders().getFirst("traceparent"));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        provider.start();
        String providerUrl = "http://127.0.0.1:" + provider.getAddress().getPort();
        jobpulse = JobpulseInstance.start(Map.of(
                "jobpulse.tracing.otlp-endpoint", "http://127.0.0.1:" + otlp.getAddress().getPort(),
                "jobpulse.tracing.export-interval", "100ms",
                "jobpulse.outbound.allowed-private-networks", "127.0.0.1/32",
                "jobpulse.providers.bria.credentials.default", "Bearer t",
                "jobpulse.providers.bria.status-urls.v2.url", providerUrl + "/v2/status/{requestId}",
                "jobpulse.providers.bria.status-urls.v2.credential", "default",
                "jobpulse.providers.bria.cancel-url", providerUrl + "/v2/cancel/{requestId}",
                "jobpulse.providers.bria.cancel-credential", "default",
                "jobpulse.provider-cancels.group-id", "tracing-test-" + System.nanoTime(),
                "jobpulse.providers.bria.secrets", List.of("whsec_" + Base64.getEncoder().encodeToString(BRIA_SECRET))));
        ProviderCancels cancels = jobpulse.context().getBean(ProviderCancels.class);
        await().atMost(Duration.ofSeconds(30)).until(cancels::isAssigned);
    }

    @AfterAll
    static void stop() {
        jobpulse.close();
        otlp.stop(0);
        provider.stop(0);
    }

    @Test
    void aJobsJourneyFromSubmitToStreamIsOneTrace() {
        String traceId = hex(16);
        String callerSpan = hex(8);
        Logger requests = (Logger) LoggerFactory.getLogger("jobpulse.requests");
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        Level level = requests.getLevel();
        requests.setLevel(Level.INFO);
        requests.addAppender(logged);
        String job;
        try {
            var submitted = post("/v1/jobs", "{\"type\":\"x.traced\"}", traceparent(traceId, callerSpan));
            assertThat(submitted.statusCode()).isEqualTo(202);
            job = json(submitted).get("id").asText();
            // The line is written as the response goes out, on the server's thread: wait for it.
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(logged.list).anySatisfy(line -> {
                assertThat(line.getFormattedMessage()).startsWith("POST /v1/jobs 202");
                assertThat(line.getMDCPropertyMap()).containsEntry("trace_id", traceId).containsKey("span_id");
            }));
        } finally {
            requests.detachAppender(logged);
            requests.setLevel(level);
        }

        try (SseClient stream = jobpulse.stream("/v1/jobs/" + job + "/stream", null); SocketClient socket = new SocketClient(jobpulse)) {
            socket.send("{\"type\":\"subscribe\",\"id\":\"t\",\"job\":\"" + job + "\"}");
            await().atMost(Duration.ofSeconds(20)).until(() -> !stream.events().isEmpty() && !socket.updatesOf("t").isEmpty());
            assertThat(post("/v1/jobs/" + job + "/reports", "{\"status\":\"running\",\"progress\":0.5}", traceparent(traceId, hex(8)))
                    .statusCode()).isEqualTo(202);
            assertThat(post("/v1/jobs/" + job + "/reports", "{\"status\":\"succeeded\"}", traceparent(traceId, hex(8)))
                    .statusCode()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(20)).until(() -> updates(stream).stream().anyMatch(u -> u.get("version").asLong() == 3));
            await().atMost(Duration.ofSeconds(20)).until(() -> socket.updatesOf("t").stream()
                    .anyMatch(message -> message.at("/update/version").asLong() == 3));
            List<JsonNode> received = new ArrayList<>(updates(stream));
            socket.updatesOf("t").forEach(message -> received.add(message.get("update")));
            assertThat(received.stream().filter(update -> !update.path("snapshot").asBoolean()))
                    .as("the live updates of the SSE stream and the WebSocket subscription").hasSizeGreaterThanOrEqualTo(4)
                    .allSatisfy(update -> assertThat(update.path("traceparent").asText()).as("update %s", update)
                            .matches("00-" + traceId + "-[0-9a-f]{16}-01"));
        }

        List<ConsumerRecord<String, byte[]>> changes = statusRecordsOf(job, 3);
        assertThat(changes).allSatisfy(change -> assertThat(header(change, TraceHeaders.TRACEPARENT))
                .matches("00-" + traceId + "-[0-9a-f]{16}-01"));

        // The spans: the submission's server span under the caller's, the write under it, the fold under
        // the write, the push under the fold (whose span id the status change record names).
        await().atMost(Duration.ofSeconds(20)).until(() -> spansOf(traceId).stream().filter(span -> span.name().equals("push")).count() >= 3);
        List<Span> spans = spansOf(traceId);
        Span server = spans.stream().filter(span -> span.name().equals("POST /v1/jobs")).findFirst().orElseThrow();
        assertThat(server.parentSpanId()).isEqualTo(callerSpan);
        Span write = childOf(spans, server, "publish jobpulse.job-events");
        Span fold = childOf(spans, write, "fold");
        String firstChange = header(changes.getFirst(), TraceHeaders.TRACEPARENT);
        assertThat(firstChange).isEqualTo("00-" + traceId + "-" + fold.spanId() + "-01");
        childOf(spans, fold, "push");
    }

    @Test
    void aPollAndACancelAtTheProviderCarryTheTracesOfTheirRequests() {
        String traceId = hex(16);
        String job = json(post("/v1/jobs", "{\"type\":\"x.traced-poll\"}", traceparent(traceId, hex(8)))).get("id").asText();
        var accepted = post("/v1/jobs/" + job + "/poll", "{\"statusUrl\":\"http://127.0.0.1:" + provider.getAddress().getPort()
                + "/v2/status/t1\",\"provider\":\"bria\",\"interval\":\"PT1S\"}", traceparent(traceId, hex(8)));
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);

        await().atMost(Duration.ofSeconds(20)).until(() -> pollTraceparents.stream().anyMatch(sent -> sent != null && sent.contains(traceId)));
        assertThat(pollTraceparents).filteredOn(sent -> sent != null && sent.contains(traceId))
                .allSatisfy(sent -> assertThat(sent).matches("00-" + traceId + "-[0-9a-f]{16}-01"));

        // The poll's answer named the provider's request, so a cancel is sent there, in the cancel's trace.
        jobpulse.awaitRequestGranted(job, "t1");
        String cancelTrace = hex(16);
        assertThat(post("/v1/jobs/" + job + "/cancel", "{}", traceparent(cancelTrace, hex(8))).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(20)).until(() -> cancelTraceparents.stream().anyMatch(sent -> sent != null && sent.contains(cancelTrace)));
        assertThat(cancelTraceparents).filteredOn(sent -> sent != null && sent.contains(cancelTrace))
                .allSatisfy(sent -> assertThat(sent).matches("00-" + cancelTrace + "-[0-9a-f]{16}-01"));
    }

    @Test
    void aRequestWithoutTraceparentStartsATraceOfItsOwn() {
        var submitted = post("/v1/jobs", "{\"type\":\"x.untraced\"}", null);
        String job = json(submitted).get("id").asText();
        String traceparent = header(statusRecordsOf(job, 1).getFirst(), TraceHeaders.TRACEPARENT);
        assertThat(traceparent).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}").doesNotContain("00000000000000000000000000000000");
    }

    private static java.net.http.HttpResponse<String> post(String path, String body, String traceparent) {
        HttpRequest.Builder request = HttpRequest.newBuilder(jobpulse.uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (traceparent != null) {
            request.header("traceparent", traceparent);
        }
        return jobpulse.send(request);
    }

    private static String traceparent(String traceId, String spanId) {
        return "00-" + traceId + "-" + spanId + "-01";
    }

    private static String hex(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    private static List<JsonNode> updates(SseClient stream) {
        return stream.events().stream().filter(event -> event.data() != null && event.data().startsWith("{"))
                .map(TracingTest::tree).toList();
    }

    private static JsonNode tree(SseClient.Event event) {
        try {
            return io.jobpulse.events.JobJson.mapper().readTree(event.data());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + event.data(), e);
        }
    }

    private static String header(ConsumerRecord<?, ?> record, String key) {
        Header header = record.headers().lastHeader(key);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** The job's first {@code count} records (at least) of {@code jobpulse.job-status}, with their headers. */
    private static List<ConsumerRecord<String, byte[]>> statusRecordsOf(String job, int count) {
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.get().bootstrapServers);
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.JOB_STATUS.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> {
                    if (job.equals(record.key())) {
                        found.add(record);
                    }
                });
                return found.size() >= count;
            });
            return found;
        }
    }

    private static Span childOf(List<Span> spans, Span parent, String name) {
        Optional<Span> child = spans.stream().filter(span -> span.name().equals(name) && parent.spanId().equals(span.parentSpanId())).findFirst();
        assertThat(child).as("a span '%s' under '%s' among %s", name, parent.name(), spans).isPresent();
        return child.get();
    }

    private static List<Span> spansOf(String traceId) {
        List<Span> spans = new ArrayList<>();
        for (byte[] export : exports) {
            OtlpSpans.read(export).stream().filter(span -> span.traceId().equals(traceId)).forEach(spans::add);
        }
        return spans;
    }

    /** What the test needs of an exported span. */
    record Span(String traceId, String spanId, String parentSpanId, String name) {
    }

    /**
     * Reads the spans of an OTLP {@code ExportTraceServiceRequest} (protobuf): request field 1,
     * resource spans; their field 2, scope spans; their field 2, spans; a span's trace id (1), span id
     * (2), parent span id (4) and name (5). Only length-delimited fields are descended into.
     */
    static final class OtlpSpans {

        static List<Span> read(byte[] request) {
            List<Span> spans = new ArrayList<>();
            for (byte[] resource : fields(request, 1)) {
                for (byte[] scope : fields(resource, 2)) {
                    for (byte[] span : fields(scope, 2)) {
                        spans.add(new Span(hex(first(span, 1)), hex(first(span, 2)), hex(first(span, 4)),
                                new String(first(span, 5), StandardCharsets.UTF_8)));
                    }
                }
            }
            return spans;
        }

        private static String hex(byte[] bytes) {
            return bytes.length == 0 ? "" : HexFormat.of().formatHex(bytes);
        }

        private static byte[] first(byte[] message, int field) {
            List<byte[]> values = fields(message, field);
            return values.isEmpty() ? new byte[0] : values.getFirst();
        }

        /** Every length-delimited value of a field, skipping the others. */
        private static List<byte[]> fields(byte[] message, int field) {
            List<byte[]> values = new ArrayList<>();
            int[] at = {0};
            while (at[0] < message.length) {
                long tag = varint(message, at);
                int type = (int) (tag & 7);
                switch (type) {
                    case 0 -> varint(message, at);
                    case 1 -> at[0] += 8;
                    case 5 -> at[0] += 4;
                    case 2 -> {
                        int length = (int) varint(message, at);
                        if (tag >>> 3 == field) {
                            values.add(java.util.Arrays.copyOfRange(message, at[0], at[0] + length));
                        }
                        at[0] += length;
                    }
                    default -> throw new IllegalArgumentException("wire type " + type + " in an OTLP request");
                }
            }
            return values;
        }

        private static long varint(byte[] message, int[] at) {
            long value = 0;
            for (int shift = 0; ; shift += 7) {
                byte b = message[at[0]++];
                value |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return value;
                }
            }
        }
    }
}
