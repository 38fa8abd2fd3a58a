package io.jobpulse.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.events.StatusChange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.stream.IntStream;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@code /v1/ws} against the real broker: subscribe, unsubscribe, filters and their resets, ends,
 * errors, keepalive; the handshake as browsers make it (an {@code Origin}, a stream token, a first
 * message at once); messages sent back to back, handled and answered in order; the closing handshake.
 */
class WebSocketTest {

    /** A page origin the instance lets open sockets, beside its own. */
    private static final String ALLOWED_ORIGIN = "https://app.example";
    private static JobpulseInstance jobpulse;

    @BeforeAll
    static void start() {
        jobpulse = JobpulseInstance.start(Map.of("jobpulse.push.heartbeat", "300ms",
                "micronaut.server.cors.configurations.web.allowed-origins", List.of(ALLOWED_ORIGIN),
                // Back-to-back messages are the point here; the rate limit has tests of its own.
                "jobpulse.push.socket-messages-per-second", "10000", "jobpulse.push.socket-message-burst", "200"));
    }

    @AfterAll
    static void stop() {
        jobpulse.close();
    }

    private static Predicate<JsonNode> is(String type, String id) {
        return m -> m.path("type").asText().equals(type) && m.path("id").asText().equals(id);
    }

    private static String newJob() {
        return json(jobpulse.post("/v1/jobs", "{\"type\":\"x.ws\"}")).get("id").asText();
    }

    @Test
    void subscribesToAJobUntilUnsubscribedAndNothingArrivesAfter() {
        String job = newJob();
        String sentinel = newJob();
        try (SocketClient client = new SocketClient(jobpulse)) {
            client.send("{\"type\":\"subscribe\",\"id\":\"s1\",\"job\":\"" + job + "\"}");
            client.awaitMessage(is("subscribed", "s1"));
            await().atMost(Duration.ofSeconds(20)).until(() -> client.updatesOf("s1").size() == 1);
            jobpulse.post("/v1/jobs/" + job + "/reports", "{\"status\":\"running\",\"progress\":0.3}");
            await().atMost(Duration.ofSeconds(20)).until(() -> client.updatesOf("s1").size() == 2);

            client.send("{\"type\":\"unsubscribe\",\"id\":\"s1\"}");
            client.awaitMessage(is("unsubscribed", "s1"));
            jobpulse.post("/v1/jobs/" + job + "/reports", "{\"progress\":0.6}");
            client.send("{\"type\":\"subscribe\",\"id\":\"s2\",\"job\":\"" + sentinel + "\",\"lastVersion\":1}");
            client.awaitMessage(is("subscribed", "s2"));
            jobpulse.post("/v1/jobs/" + sentinel + "/reports", "{\"status\":\"running\"}");
            await().atMost(Duration.ofSeconds(20)).until(() -> client.updatesOf("s2").size() == 1);

            assertThat(client.updatesOf("s1")).extracting(m -> m.get("eventId").asText()).containsExactly("1", "2");
            assertThat(client.updatesOf("s1").getFirst().at("/update/snapshot").asBoolean()).isTrue();
            assertThat(client.updatesOf("s1").get(1).get("event").asText()).isEqualTo("status");
            assertThat(client.updatesOf("s2")).extracting(m -> m.get("eventId").asText()).containsExactly("2");
        }
    }

    @Test
    void aJobSubscriptionEndsAfterTheTerminalState() {
        String job = newJob();
        try (SocketClient client = new SocketClient(jobpulse)) {
            client.send("{\"type\":\"subscribe\",\"id\":\"j\",\"job\":\"" + job + "\"}");
            client.awaitMessage(is("subscribed", "j"));
            jobpulse.post("/v1/jobs/" + job + "/reports", "{\"status\":\"succeeded\"}");

            client.awaitMessage(is("end", "j"));
            assertThat(client.updatesOf("j").getLast().at("/update/status").asText()).isEqualTo("succeeded");
        }
    }

    @Test
    void aFilterSubscriptionGetsTheCallersMatchingJobsWithResumableIds() {
        String tag = "t-" + UUID.randomUUID().toString().substring(0, 8);
        List<StatusChange> matching = StatusChanges.ofNewJob(JobpulseInstance.USER, "x.ws", List.of(tag));
        try (StatusChanges changes = new StatusChanges(); SocketClient client = new SocketClient(jobpulse)) {
            client.send("{\"type\":\"subscribe\",\"id\":\"f\",\"filter\":{\"tag\":\"" + tag + "\",\"statuses\":[\"running\"]}}");
            JsonNode subscribed = client.awaitMessage(is("subscribed", "f"));
            assertThat(subscribed.get("eventId").asText()).isNotBlank();
            changes.send(StatusChanges.ofNewJob(JobpulseInstance.USER, "x.ws", List.of("other")).get(1));
            matching.forEach(changes::send);

            await().atMost(Duration.ofSeconds(20)).until(() -> client.updatesOf("f").size() == 3);
            assertThat(client.updatesOf("f")).extracting(m -> m.at("/update/version").asLong())
                    .as("running at 20%, 60%, and the change that left running").containsExactly(2L, 3L, 4L);
        }
    }

    @Test
    void aFilterSubscriptionWithACursorThatIsNoPositionStartsWithAReset() {
        String tag = "t-" + UUID.randomUUID().toString().substring(0, 8);
        List<StatusChange> matching = StatusChanges.ofNewJob(JobpulseInstance.USER, "x.ws", List.of(tag));
        try (StatusChanges changes = new StatusChanges(); SocketClient client = new SocketClient(jobpulse)) {
            client.send("{\"type\":\"subscribe\",\"id\":\"r\",\"filter\":{\"tag\":\"" + tag + "\"},\"cursor\":\"bogus\"}");
            JsonNode subscribed = client.awaitMessage(is("subscribed", "r"));
            assertThat(subscribed.get("reset").asBoolean()).isTrue();
            assertThat(subscribed.get("eventId").asText()).isNotBlank();
            changes.send(matching.getFirst());

            await().atMost(Duration.ofSeconds(20)).until(() -> client.updatesOf("r").size() == 1);
        }
    }

    @Test
    void badMessagesGetProblemsAndTheConnectionStays() {
        try (SocketClient client = new SocketClient(jobpulse)) {
            client.send("{not json");
            client.awaitMessage(m -> m.path("type").asText().equals("error") && m.at("/problem/type").asText().endsWith("/malformed-json"));
            client.send("{\"type\":\"subscribe\",\"id\":\"x\",\"job\":\"no-such-job\"}");
            client.awaitMessage(m -> is("error", "x").test(m) && m.at("/problem/status").asInt() == 404);
            client.send("{\"type\":\"subscribe\",\"id\":\"v\",\"job\":\"no-such-job\",\"lastVersion\":\"bogus\"}");
            client.awaitMessage(m -> is("error", "v").test(m) && m.at("/problem/status").asInt() == 400
                    && m.at("/problem/field").asText().equals("lastVersion"));
            client.send("{\"type\":\"teleport\",\"id\":\"y\"}");
            client.awaitMessage(m -> is("error", "y").test(m) && m.at("/problem/status").asInt() == 400);
            client.send("{\"type\":\"ping\",\"id\":\"p\"}");
            client.awaitMessage(is("pong", "p"));
        }
    }

    @Test
    void theServerPingsAnIdleSocket() {
        try (SocketClient client = new SocketClient(jobpulse)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> client.pings.size() >= 2);
        }
    }

    private static String ownOrigin() {
        return jobpulse.uri("/").toString().replaceFirst("/$", "");
    }

    private static String streamToken() {
        return json(jobpulse.post("/v1/stream-tokens", "{}")).get("token").asText();
    }

    @Test
    void pagesOfTheAllowedOriginsAndOfItsOwnOpenSocketsThatWork() {
        for (String origin : List.of(ALLOWED_ORIGIN, ownOrigin())) {
            try (SocketClient client = new SocketClient(jobpulse, "/v1/ws?token=" + streamToken(), null, origin)) {
                client.send("{\"type\":\"ping\",\"id\":\"p\"}");
                client.awaitMessage(is("pong", "p"));
                assertThat(client.errors).as(origin).isEmpty();
            }
        }
    }

    @Test
    void aPageOfAnotherOriginIsRefusedAtTheHandshakeWith403() {
        String token = streamToken();
        CompletableFuture<WebSocket> opening = SocketClient.builder(null, "https://evil.example")
                .buildAsync(SocketClient.socketUri(jobpulse, "/v1/ws?token=" + token), new WebSocket.Listener() { });
        assertThatThrownBy(opening::join).hasCauseInstanceOf(WebSocketHandshakeException.class).cause()
                .satisfies(refused -> {
                    HttpResponse<?> answer = ((WebSocketHandshakeException) refused).getResponse();
                    assertThat(answer.statusCode()).isEqualTo(403);
                    assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
                });
        try (SocketClient client = new SocketClient(jobpulse, "/v1/ws?token=" + token, null, ALLOWED_ORIGIN)) {
            client.send("{\"type\":\"ping\",\"id\":\"p\"}");
            client.awaitMessage(is("pong", "p"));
        }
    }

    @Test
    void aSocketOpenedWithAStreamTokenAnswersAMessageSentTheMomentItOpens() {
        // Its credential is looked up in PostgreSQL, off the event loop, as a browser's always is.
        for (int i = 0; i < 20; i++) {
            try (SocketClient client = new SocketClient(jobpulse, "/v1/ws?token=" + streamToken(), null, ownOrigin())) {
                client.send("{\"type\":\"ping\",\"id\":\"first\"}");
                client.awaitMessage(is("pong", "first"));
            }
        }
    }

    @Test
    void pingsSentBackToBackAreAnsweredInOrder() {
        try (SocketClient client = new SocketClient(jobpulse)) {
            List<String> sent = IntStream.range(0, 50).mapToObj(i -> "p" + i).toList();
            sent.forEach(id -> client.send("{\"type\":\"ping\",\"id\":\"" + id + "\"}"));
            await().atMost(Duration.ofSeconds(20)).until(() -> client.ofType("pong").size() == sent.size());
            assertThat(client.ofType("pong")).extracting(m -> m.get("id").asText()).containsExactlyElementsOf(sent);
        }
    }

    @Test
    void anUnsubscribeRightAfterItsSubscribeLeavesNothingLive() {
        List<String> jobs = IntStream.range(0, 20).mapToObj(i -> newJob()).toList();
        String sentinel = newJob();
        try (SocketClient client = new SocketClient(jobpulse)) {
            for (int i = 0; i < jobs.size(); i++) {
                client.send("{\"type\":\"subscribe\",\"id\":\"s" + i + "\",\"job\":\"" + jobs.get(i) + "\"}");
                client.send("{\"type\":\"unsubscribe\",\"id\":\"s" + i + "\"}");
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> client.ofType("unsubscribed").size() == jobs.size());
            jobs.forEach(job -> jobpulse.post("/v1/jobs/" + job + "/reports", "{\"status\":\"running\"}"));
            client.send("{\"type\":\"subscribe\",\"id\":\"sentinel\",\"job\":\"" + sentinel + "\",\"lastVersion\":1}");
            client.awaitMessage(is("subscribed", "sentinel"));
            jobpulse.post("/v1/jobs/" + sentinel + "/reports", "{\"status\":\"running\"}");
            await().atMost(Duration.ofSeconds(20)).until(() -> client.updatesOf("sentinel").size() == 1);

            List<String> expected = new ArrayList<>();
            for (int i = 0; i < jobs.size(); i++) {
                expected.add("subscribed s" + i);
                expected.add("unsubscribed s" + i);
            }
            expected.add("subscribed sentinel");
            assertThat(client.answers()).extracting(m -> m.get("type").asText() + " " + m.get("id").asText()).containsExactlyElementsOf(expected);
            for (int i = 0; i < jobs.size(); i++) {
                String subscription = "s" + i;
                int unsubscribed = client.messages.indexOf(client.awaitMessage(is("unsubscribed", subscription)));
                assertThat(client.messages.subList(unsubscribed, client.messages.size()))
                        .as("nothing of %s after its unsubscribed", subscription)
                        .noneMatch(m -> m.path("subscription").asText().equals(subscription));
                assertThat(client.updatesOf(subscription)).as("at most the snapshot").allMatch(m -> m.at("/update/version").asLong() == 1);
            }
        }
    }

    @Test
    void aSubscribeAndAFailingRenewAreBothAnsweredInOrder() {
        for (int i = 0; i < 10; i++) {
            String job = newJob();
            try (SocketClient client = new SocketClient(jobpulse)) {
                client.send("{\"type\":\"subscribe\",\"id\":\"s\",\"job\":\"" + job + "\"}");
                client.send("{\"type\":\"renew\",\"id\":\"r\",\"token\":\"jst_not-a-token\"}");
                client.awaitMessage(is("error", "r"));
                assertThat(client.answers()).extracting(m -> m.get("type").asText() + " " + m.get("id").asText())
                        .containsExactly("subscribed s", "error r");
                assertThat(client.awaitMessage(is("error", "r")).at("/problem/status").asInt()).isEqualTo(401);
            }
        }
    }

    @Test
    void aClientsCloseIsAnsweredWithItsCodeAndTheConnectionEnds() {
        try (SocketClient client = new SocketClient(jobpulse, "/v1/ws?token=" + streamToken(), null, ownOrigin())) {
            client.send("{\"type\":\"ping\",\"id\":\"p\"}");
            client.awaitMessage(is("pong", "p"));
            client.sendClose(1000);
            await().atMost(Duration.ofSeconds(10)).until(() -> !client.closes.isEmpty());
            assertThat(client.closes).first().asString().startsWith("1000");
            assertThat(client.errors).isEmpty();
        }
    }

    @Test
    void aCloseFrameIsEchoedAndThenTheServerEndsTheConnection() throws Exception {
        // A bare client, so that what the server does on its own shows: its close frame, then the end of the stream.
        try (Socket socket = new Socket("127.0.0.1", jobpulse.uri("/").getPort())) {
            assertThat(upgrade(socket, "")).startsWith("HTTP/1.1 101");
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            // A masked close frame, code 1000 (0x03E8), mask 0.
            out.write(new byte[] {(byte) 0x88, (byte) 0x82, 0, 0, 0, 0, 0x03, (byte) 0xE8});
            out.flush();
            assertThat(in.readNBytes(4)).as("a close frame with code 1000").containsExactly(0x88, 0x02, 0x03, 0xE8);
            assertThat(in.read()).as("then the end of the connection").isEqualTo(-1);
        }
    }

    /**
     * A browser offers permessage-deflate on every socket; the server declines it, so that the 16 KiB
     * message limit counts the bytes the server holds. A client that compresses anyway (64 MiB of
     * zeros deflate to some 64 KiB, sent as a fragmented message) is refused at once: nothing inflates it.
     */
    @Test
    void permessageDeflateIsDeclinedAndAMessageCompressedAnywayIsNotInflated() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", jobpulse.uri("/").getPort())) {
            assertThat(upgrade(socket, "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"))
                    .startsWith("HTTP/1.1 101").doesNotContainIgnoringCase("Sec-WebSocket-Extensions");
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();

            java.util.zip.Deflater deflater = new java.util.zip.Deflater(9, true);
            deflater.setInput(new byte[64 * 1024 * 1024]);
            deflater.finish();
            ByteArrayOutputStream compressed = new ByteArrayOutputStream();
            byte[] chunk = new byte[64 * 1024];
            while (!deflater.finished()) {
                compressed.write(chunk, 0, deflater.deflate(chunk));
            }
            byte[] message = compressed.toByteArray();
            long started = System.nanoTime();
            int frameBytes = 8 * 1024;
            try {
                for (int at = 0; at < message.length; at += frameBytes) {
                    int length = Math.min(frameBytes, message.length - at);
                    boolean first = at == 0;
                    boolean last = at + length == message.length;
                    // RSV1 on the first frame marks a compressed message; masked, mask 0.
                    out.write((last ? 0x80 : 0) | (first ? 0x40 | 0x01 : 0x00));
                    out.write(new byte[] {(byte) (0x80 | 126), (byte) (length >> 8), (byte) length, 0, 0, 0, 0});
                    out.write(message, at, length);
                    out.flush();
                }
            } catch (IOException closedMeanwhile) {
                // The server may close before the whole message is written.
            }
            int closeCode = -1;
            while (closeCode < 0) {
                int opcode = in.read();
                assertThat(opcode).as("a close frame before the end of the connection").isNotEqualTo(-1);
                int length = in.read() & 0x7F;
                if (length == 126) {
                    length = (in.read() << 8) | in.read();
                }
                byte[] payload = in.readNBytes(length);
                if ((opcode & 0x0F) == 0x08) {
                    closeCode = ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
                }
            }
            assertThat(closeCode).as("too big, counted as it came: nothing inflates it").isEqualTo(1009);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        }
    }

    /** Opens {@code /v1/ws} on a bare socket, with these headers besides the handshake's, and returns the answer's head. */
    private static String upgrade(Socket socket, String headers) throws IOException {
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(("GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" + headers
                + "Authorization: Bearer " + JobpulseInstance.token(JobpulseInstance.USER) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            head.append((char) socket.getInputStream().read());
        }
        return head.toString();
    }
}
