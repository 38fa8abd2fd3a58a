package io.jobpulse.app;

import io.jobpulse.events.Topics;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Supplier;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * At least 10,000 malformed or hostile requests across every endpoint, against the real broker
 * and PostgreSQL: bad JSON, wrong types, oversized fields, unicode edge cases, odd ids, bad
 * credentials, header and path tricks, and raw malformed HTTP. Each must be answered, within
 * seconds, with a 4xx problem+json; none may write an event. The requests come from a seeded
 * generator, so a failure names what to replay.
 */
class HostileRequestsTest {

    /** 10,000 in the suite; the longer run (bench/hostile-requests.sh) sends 100,000 or more. */
    private static final int REQUESTS = Integer.getInteger("jobpulse.fuzz.requests", 10_000);
    private static final long SEED = Long.getLong("jobpulse.fuzz.seed", 20261125L);
    private static final byte[] SECRET = "the fuzzed provider's secret!!!!".getBytes(StandardCharsets.UTF_8);

    /** One request: method, path (already encoded, possibly oddly), headers, body bytes. */
    private record Hostile(String method, String path, Map<String, String> headers, byte[] body) {
        @Override
        public String toString() {
            String shown = body == null ? "" : new String(body, 0, Math.min(body.length, 120), StandardCharsets.UTF_8);
            return method + " " + (path.length() > 160 ? path.substring(0, 160) + "..." : path) + " " + headers.keySet() + " "
                    + (body == null ? "" : "(" + body.length + " bytes) ") + shown;
        }
    }

    @Test
    void tenThousandHostileRequestsGetProblemsAndWriteNothing() throws Exception {
        try (JobpulseInstance jobpulse = JobpulseInstance.start(Map.of(
                "jobpulse.providers.fuzz.secrets", List.of("whsec_" + Base64.getEncoder().encodeToString(SECRET)),
                "jobpulse.providers.fuzz.adapter", "replicate"))) {
            String alicesJob = json(jobpulse.post("/v1/jobs", "{\"type\":\"x.fuzz\"}")).get("id").asText();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> jobpulse.get("/v1/jobs/" + alicesJob).statusCode() == 200);
            Map<TopicPartition, Long> before = endOffsets();
            Generator generator = new Generator(new Random(SEED), alicesJob);
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            Map<Integer, Integer> statuses = new TreeMap<>();
            List<String> failures = new ArrayList<>();
            String previous = "";

            for (int i = 0; i < REQUESTS && failures.size() < 20; i++) {
                boolean raw = i % 50 == 49;
                Hostile request = raw ? null : generator.next();
                String rawRequest = raw ? generator.rawRequest() : null;
                Answer answer;
                try {
                    answer = raw ? sendRaw(jobpulse, rawRequest) : send(http, jobpulse, request);
                } catch (IOException closed) {
                    failures.add("#" + i + " no answer (" + closed.getMessage() + "): "
                            + (raw ? rawRequest.lines().findFirst().orElse("") : request) + ", after " + previous);
                    continue;
                }
                statuses.merge(answer.status(), 1, Integer::sum);
                previous = answer.status() + " " + (raw ? "raw" : request);
                String problem = answer.isProblem() ? "" : " not problem+json (" + answer.contentType() + ")";
                if (answer.status() < 400 || answer.status() >= 500 || !problem.isEmpty()) {
                    failures.add("#" + i + " " + answer.status() + problem + ": " + (raw ? rawRequest.lines().findFirst().orElse("") : request)
                            + " -> " + answer.body().substring(0, Math.min(200, answer.body().length())));
                }
            }

            System.out.printf("hostile requests: seed %d, answers by status %s%n", SEED, statuses);
            assertThat(failures).as("seed " + SEED + "; answers by status " + statuses).isEmpty();
            assertThat(statuses.values().stream().mapToInt(Integer::intValue).sum()).isGreaterThanOrEqualTo(REQUESTS);
            assertThat(endOffsets()).as("no event written to any topic of ours").isEqualTo(before);
            assertThat(json(jobpulse.get("/v1/jobs/" + alicesJob)).get("version").asLong()).isOne();
        }
    }

    private record Answer(int status, String contentType, String body) {
        boolean isProblem() {
            return contentType != null && contentType.startsWith("application/problem+json") && body.contains("\"status\"");
        }
    }

    private static Answer send(HttpClient http, JobpulseInstance jobpulse, Hostile hostile) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(jobpulse.uri("/").resolve(hostile.path())).timeout(Duration.ofSeconds(15))
                .method(hostile.method(), hostile.body() == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(hostile.body()));
        hostile.headers().forEach(request::header);
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(null), response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** Sends bytes that no well-behaved client would, on a socket of its own, and reads the answer. */
    private static Answer sendRaw(JobpulseInstance jobpulse, String raw) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", jobpulse.uri("/").getPort())) {
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            // Connection: close makes the server end the connection after its answer; half-closing would abort it.
            int headersEnd = raw.indexOf("\r\n") + 2;
            out.write((raw.substring(0, headersEnd) + "Connection: close\r\n" + raw.substring(headersEnd)).getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream read = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) > 0) {
                read.write(buffer, 0, n);
            }
            String response = read.toString(StandardCharsets.ISO_8859_1);
            if (response.isEmpty()) {
                throw new IOException("the connection closed without an answer");
            }
            int status = Integer.parseInt(response.substring(9, 12));
            String headers = response.substring(0, Math.max(0, response.indexOf("\r\n\r\n")));
            String contentType = headers.lines().filter(line -> line.toLowerCase().startsWith("content-type:"))
                    .map(line -> line.substring(13).strip()).findFirst().orElse(null);
            return new Answer(status, contentType, response.substring(Math.min(response.length(), headers.length() + 4)));
        }
    }

    private static Map<TopicPartition, Long> endOffsets() {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", TestStack.get().bootstrapServers),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(Topics.JOB_EVENTS_NAME, Topics.PROVIDER_CALLBACKS_NAME, Topics.JOB_EVENTS_REJECTED_NAME)) {
                consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            }
            return Map.copyOf(consumer.endOffsets(partitions));
        }
    }

    /** Hostile requests, drawn from a seeded random source. */
    private static final class Generator {

        private static final String[] ODD_IDS = {"..", "%2e%2e", "%2F", "a%2Fb", "%00", "%0d%0aSet-Cookie:%20x=1", "x".repeat(300),
                "%E3%82%B8%E3%83%A7%E3%83%96", "%F0%9F%92%A5", "%E2%80%AE", "'%20OR%201=1--", "%3Cscript%3E", "null", "-1",
                "123e4567-e89b-42d3-a456-426614174000", "019a7b3c-5d2e-7f10-8a4b-3c2d1e0f9a8b", "%25", "%C0%AE", "~", ".",
                "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"};
        private static final String[] ODD_STRINGS = {"", " ", "\u0000", "\u202e", "\uD83D\uDCA5", "\uFEFF", "a".repeat(70_000), "\\ud800",
                "<script>alert(1)</script>", "' OR 1=1 --", "${jndi:ldap://x/a}", "%s%s%s", "\r\nX-Injected: 1", "ジョブ", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢"};
        private static final String[] MALFORMED = {"{", "[", "{\"type\":", "{\"type\" \"x\"}", "nul", "{}}", "{\"a\":1,}", "'single'",
                "{\"type\":\"x\"", "\u0000", "{\"type\":\"\\uZZZZ\"}", "1e999999999", "[" .repeat(5_000), "{\"x\":" .repeat(2_000),
                "{\"progress\":NaN}", "{\"type\":\"x\",\"type\":5}", "\uFEFF{\"type\":\"x.y\",\"timeout\":\"bad\"}"};

        private final Random random;
        private final String realJob;
        private final List<Supplier<Hostile>> kinds = new ArrayList<>();

        Generator(Random random, String realJob) {
            this.random = random;
            this.realJob = realJob;
            kinds.add(this::badSubmission);
            kinds.add(this::badReport);
            kinds.add(this::badCommand);
            kinds.add(this::badPoll);
            kinds.add(this::oddIdRead);
            kinds.add(this::badQuery);
            kinds.add(this::badCredential);
            kinds.add(this::foreignJob);
            kinds.add(this::badWebhook);
            kinds.add(this::badStreamToken);
            kinds.add(this::wrongMethodOrType);
            kinds.add(this::foreignOrigin);
        }

        Hostile next() {
            return kinds.get(random.nextInt(kinds.size())).get();
        }

        private <T> T pick(T[] values) {
            return values[random.nextInt(values.length)];
        }

        private String user() {
            return JobpulseInstance.token(JobpulseInstance.USER);
        }

        private Map<String, String> json(String token) {
            Map<String, String> headers = new TreeMap<>();
            headers.put("Content-Type", "application/json");
            if (token != null) {
                headers.put("Authorization", "Bearer " + token);
            }
            return headers;
        }

        private static byte[] bytes(String text) {
            return text.getBytes(StandardCharsets.UTF_8);
        }

        private static String quoted(String text) {
            StringBuilder out = new StringBuilder("\"");
            for (char c : text.toCharArray()) {
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    default -> out.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
                }
            }
            return out.append('"').toString();
        }

        /** A submission that can never be valid: a bad type, bad tags, a bad timeout or provider, wrong types, bad JSON. */
        private Hostile badSubmission() {
            String body = switch (random.nextInt(9)) {
                case 0 -> pick(MALFORMED);
                case 1 -> "{\"type\":" + quoted(pick(ODD_STRINGS)) + "}";
                case 2 -> "{\"type\":" + pick(new String[] {"1", "true", "[\"x\"]", "{}", "null"}) + "}";
                case 3 -> "{\"type\":\"x.y\",\"tags\":" + pick(new String[] {"\"x\"", "[1,2]", "[\"\"]", "[" + quoted("t".repeat(65)) + "]", "{}"}) + "}";
                case 4 -> "{\"type\":\"x.y\",\"timeout\":" + pick(new String[] {"\"PT0S\"", "\"-PT1S\"", "\"soon\"", "5", "\"PT99999999999999999999H\"", "\"P1000000000D\""}) + "}";
                case 5 -> "{\"type\":\"x.y\",\"provider\":{\"name\":" + quoted(pick(ODD_STRINGS)) + ",\"requestId\":\"r\"}}";
                case 6 -> "{\"type\":\"x.y\",\"poll\":{\"statusUrl\":" + quoted(pick(new String[] {"ftp://x", "javascript:alert(1)", "", "http://"})) + ",\"provider\":\"fuzz\"}}";
                case 7 -> "{\"type\":\"x.y\",\"owner\":\"bob\"}";
                default -> "{\"type\":\"x.y\",\"metadata\":" + pick(new String[] {"[]", "\"m\"", "1"}) + "}";
            };
            Map<String, String> headers = json(user());
            if (random.nextInt(10) == 0) {
                headers.put("Idempotency-Key", random.nextBoolean() ? " " : "k".repeat(201));
                body = "{\"type\":\"x.y\"}";
            }
            return new Hostile("POST", "/v1/jobs", headers, bytes(body));
        }

        /** A report on a job that does not exist, or an invalid one on a real job. */
        private Hostile badReport() {
            boolean real = random.nextBoolean();
            String body = real ? pick(new String[] {"{\"status\":\"queued\"}", "{\"status\":\"done\"}", "{\"progress\":1.5}", "{\"progress\":-1}",
                    "{\"progress\":\"half\"}", "{\"message\":" + quoted("m".repeat(4_001)) + "}", pick(MALFORMED), "{\"status\":[1]}"})
                    : "{\"progress\":0.5,\"message\":" + quoted(pick(ODD_STRINGS)) + "}";
            String id = real ? realJob : pick(ODD_IDS);
            return new Hostile("POST", "/v1/jobs/" + id + "/reports", json(user()), bytes(body));
        }

        private Hostile badCommand() {
            String command = pick(new String[] {"cancel", "retry"});
            boolean real = random.nextInt(3) == 0;
            String body = real ? pick(new String[] {pick(MALFORMED), "{\"reason\":" + quoted("r".repeat(4_001)) + "}"})
                    : "{\"reason\":" + quoted(pick(ODD_STRINGS)) + "}";
            return new Hostile("POST", "/v1/jobs/" + (real ? realJob : pick(ODD_IDS)) + "/" + command, json(user()), bytes(body));
        }

        private Hostile badPoll() {
            String body = pick(new String[] {pick(MALFORMED), "{\"statusUrl\":\"https://x.example/s\",\"provider\":\"nobody\"}",
                    "{\"statusUrl\":\"file:///etc/passwd\",\"provider\":\"fuzz\"}", "{\"statusUrl\":\"https://x.example/s\",\"provider\":\"fuzz\",\"interval\":\"PT0S\"}",
                    "{\"statusUrl\":\"https://x.example/s\",\"provider\":\"fuzz\",\"credential\":\"stolen\"}", "{}"});
            return new Hostile("POST", "/v1/jobs/" + realJob + "/poll", json(user()), bytes(body));
        }

        private Hostile oddIdRead() {
            String suffix = pick(new String[] {"", "/history", "/history?raw=true", "?waitForVersionAfter=0&timeout=1s", "/stream"});
            return new Hostile("GET", "/v1/jobs/" + pick(ODD_IDS) + suffix, json(user()), null);
        }

        private Hostile badQuery() {
            String query = pick(new String[] {"limit=0", "limit=-5", "limit=1000000000000", "limit=abc", "cursor=" + enc(pick(ODD_STRINGS)),
                    "createdAfter=" + enc(pick(ODD_STRINGS)), "status=bogus", "status=" + enc("queued,\u202e"), "updatedSince=yesterday",
                    "owner=bob", "createdBefore=2026-13-45T99:99:99Z"});
            String path = pick(new String[] {"/v1/jobs?", "/v1/jobs/summary?owner=bob&", "/v1/jobs/" + realJob + "?waitForVersionAfter=x&"});
            if (path.contains("waitForVersionAfter")) {
                query = pick(new String[] {"timeout=0", "timeout=-1", "timeout=999999", "timeout=" + enc(pick(ODD_STRINGS))});
            }
            return new Hostile("GET", path + query, json(user()), null);
        }

        private Hostile badCredential() {
            String token = pick(new String[] {"", "x", "jp_", "jp_0123456789abcdef_" + "A".repeat(43), "jst_0123456789abcdef_" + "B".repeat(43),
                    "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9.", user().substring(0, user().length() - 5) + "AAAAA", "a".repeat(5_000),
                    user() + " extra"});
            Map<String, String> headers = json(null);
            headers.put("Authorization", pick(new String[] {"Bearer ", "Basic ", "bearer ", "Token ", ""}) + token);
            String path = pick(new String[] {"/v1/jobs", "/v1/jobs/" + realJob, "/v1/stream", "/v1/jobs/" + realJob + "/history", "/prometheus"});
            String method = path.equals("/v1/jobs") && random.nextBoolean() ? "POST" : "GET";
            return new Hostile(method, path, headers, method.equals("POST") ? bytes("{\"type\":\"x.y\"}") : null);
        }

        /** Bob at alice's job, with requests that would be valid for alice. */
        private Hostile foreignJob() {
            String bob = JobpulseInstance.token("bob");
            return switch (random.nextInt(5)) {
                case 0 -> new Hostile("POST", "/v1/jobs/" + realJob + "/reports", json(bob), bytes("{\"progress\":0.5}"));
                case 1 -> new Hostile("POST", "/v1/jobs/" + realJob + "/cancel", json(bob), bytes("{}"));
                case 2 -> new Hostile("GET", "/v1/jobs/" + realJob + "/history?raw=true", json(bob), null);
                case 3 -> new Hostile("POST", "/v1/stream-tokens", json(bob), bytes("{\"jobs\":[\"" + realJob + "\"]}"));
                default -> new Hostile("GET", "/v1/jobs/" + realJob + "?waitForVersionAfter=0&timeout=1s", json(bob), null);
            };
        }

        /** Callbacks with no, wrong, stale or forged signatures, to a configured provider or none. */
        private Hostile badWebhook() {
            Map<String, String> headers = json(null);
            long now = System.currentTimeMillis() / 1000;
            switch (random.nextInt(4)) {
                case 0 -> { }
                case 1 -> {
                    headers.put("webhook-id", "msg_" + random.nextInt());
                    headers.put("webhook-timestamp", Long.toString(now - 3600));
                    headers.put("webhook-signature", "v1," + Base64.getEncoder().encodeToString(new byte[32]));
                }
                case 2 -> {
                    // HttpClient sends only visible ASCII in headers; raw requests carry the rest.
                    headers.put("webhook-id", pick(ODD_STRINGS).replaceAll("[^\\x21-\\x7e]", "?") + "x");
                    headers.put("webhook-timestamp", pick(new String[] {"abc", "-1", "99999999999999999999", ""}) + " ");
                    headers.put("webhook-signature", pick(new String[] {"v1,", "v1a,AAAA", "v2,xyz", "v1,!!!"}));
                }
                default -> {
                    headers.put("webhook-id", "msg_1");
                    headers.put("webhook-timestamp", Long.toString(now));
                    headers.put("webhook-signature", "v1," + Base64.getEncoder().encodeToString(bytes("forged signature bytes, 32 long!")));
                }
            }
            headers.replaceAll((name, value) -> value.isBlank() ? "x" : value.strip());
            String provider = pick(new String[] {"fuzz", "fuzz", "nobody", "%2e%2e", "replicate"});
            String job = random.nextBoolean() ? "" : "?job=" + pick(new String[] {realJob, "..", "%00", "x".repeat(300)});
            return new Hostile("POST", "/v1/webhooks/" + provider + job, headers, bytes(random.nextBoolean() ? pick(MALFORMED) : "{\"id\":\"p1\",\"status\":\"succeeded\"}"));
        }

        private Hostile badStreamToken() {
            String token = pick(new String[] {"", "jst_", "jst_0123456789abcdef_" + "C".repeat(43), "jp_0123456789abcdef_" + "A".repeat(43),
                    enc(pick(ODD_STRINGS)), "jst_0123456789abcdef_" + "C".repeat(43) + "&token=x"});
            String path = pick(new String[] {"/v1/stream", "/v1/jobs/" + realJob + "/stream", "/v1/ws", "/v1/jobs/" + realJob, "/v1/jobs"});
            return new Hostile("GET", path + "?token=" + token, Map.of(), null);
        }

        private Hostile wrongMethodOrType() {
            Map<String, String> headers = json(user());
            return switch (random.nextInt(4)) {
                case 0 -> new Hostile(pick(new String[] {"DELETE", "PUT", "PATCH"}), pick(new String[] {"/v1/jobs", "/v1/jobs/" + realJob,
                        "/v1/jobs/" + realJob + "/reports", "/v1/stream-tokens"}), headers, bytes("{}"));
                case 1 -> {
                    headers.put("Content-Type", pick(new String[] {"text/plain", "application/xml", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded"}));
                    yield new Hostile("POST", pick(new String[] {"/v1/jobs", "/v1/jobs/" + realJob + "/reports"}), headers, bytes("type=x.y"));
                }
                case 2 -> new Hostile("GET", pick(new String[] {"/v1/nothing", "/v1/jobs/" + realJob + "/nothing", "/v2/jobs", "/admin", "/.env",
                        "/v1/jobs/%2e%2e/%2e%2e/etc/passwd"}), headers, null);
                default -> {
                    headers.put("Accept", pick(new String[] {"application/xml", "image/png", "text/html"}));
                    yield new Hostile("POST", "/v1/jobs", headers, bytes(pick(MALFORMED)));
                }
            };
        }

        /**
         * What a page on an origin that is not listed makes its browser send: a preflight, or a request
         * that would be valid (a submission, a cancel) with the user's credential.
         */
        private Hostile foreignOrigin() {
            String origin = pick(new String[] {"http://evil.example", "null", "https://jobpulse.io.evil.example", "http://localhost.evil.example"});
            if (random.nextBoolean()) {
                return new Hostile("OPTIONS", pick(new String[] {"/v1/jobs", "/v1/jobs/" + realJob + "/cancel", "/v1/stream-tokens"}),
                        Map.of("Origin", origin, "Access-Control-Request-Method", pick(new String[] {"GET", "POST"}),
                                "Access-Control-Request-Headers", "authorization,content-type"), null);
            }
            Map<String, String> headers = json(user());
            headers.put("Origin", origin);
            return random.nextBoolean()
                    ? new Hostile("POST", "/v1/jobs", headers, bytes("{\"type\":\"x.y\"}"))
                    : new Hostile("POST", "/v1/jobs/" + realJob + "/cancel", headers, bytes("{}"));
        }

        /** Bytes on the wire that break HTTP itself. */
        String rawRequest() {
            String token = user();
            return switch (random.nextInt(7)) {
                case 0 -> "GET /v1/jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\nX-Big: " + "h".repeat(20_000) + "\r\n\r\n";
                case 1 -> "GET /v1/jobs/" + "x".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n";
                case 2 -> "BREW /v1/jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\n\r\n";
                case 3 -> "POST /v1/jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token
                        + "\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\n{\"typ";
                case 4 -> "POST /v1/jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token
                        + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"typ\r\n0\r\n\r\n";
                case 5 -> "POST /v1/webhooks/fuzz HTTP/1.1\r\nHost: x\r\nwebhook-id: \u00e3\u0082\u00b8\u0000\r\nwebhook-timestamp: 1\r\n"
                        + "webhook-signature: v1,\u00ff\r\nContent-Length: 2\r\n\r\n{}";
                default -> "GET /v1/jobs?limit=%zz HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\n\r\n";
            };
        }

        private static String enc(String text) {
            return URLEncoder.encode(text, StandardCharsets.UTF_8);
        }
    }
}
