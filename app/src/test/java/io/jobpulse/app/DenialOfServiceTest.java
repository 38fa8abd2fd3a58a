package io.jobpulse.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.app.security.RequestLimits;
import io.jobpulse.topology.InteractiveQueries;
import org.junit.jupiter.api.Test;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.LongStream;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What an attacker's requests cost: each test sends what an attacker would, against a running
 * instance, and checks that the work it causes is bounded and the answer says so.
 */
class DenialOfServiceTest {

    private static void assertProblem(HttpResponse<String> answer, int status) {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(status);
        assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
    }

    /** A UUIDv7 that says it was made at that time, as anyone can write one. */
    private static String idMadeAt(Instant at) {
        long msb = (at.toEpochMilli() << 16) | 0x7000L | ThreadLocalRandom.current().nextInt(0x1000);
        long lsb = (ThreadLocalRandom.current().nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }

    /** Requests sent by every Kafka admin client of this JVM, from their metrics. */
    private static double adminRequests() throws Exception {
        MBeanServer beans = ManagementFactory.getPlatformMBeanServer();
        double total = 0;
        for (ObjectName name : beans.queryNames(new ObjectName("kafka.admin.client:type=admin-client-metrics,*"), null)) {
            total += ((Number) beans.getAttribute(name, "request-total")).doubleValue();
        }
        return total;
    }

    @Test
    void missingIdsCostAFewStoreReadsAndOnlyRecentOnesWaitAndAskKafka() throws Exception {
        // The consumer groups' lag is read in the background with admin requests; not during this test.
        try (JobpulseInstance jobpulse = JobpulseInstance.start(Map.of("jobpulse.topology.read-your-writes-window", "1s",
                "jobpulse.consumers.lag-interval", "1h"))) {
            InteractiveQueries queries = jobpulse.context().getBean(InteractiveQueries.class);
            String first = json(jobpulse.post("/v1/jobs", "{\"type\":\"x.dos\"}")).get("id").asText();
            await().atMost(Duration.ofSeconds(20)).until(() -> jobpulse.get("/v1/jobs/" + first).statusCode() == 200);
            String tag = "dos-" + UUID.randomUUID();
            String job = json(jobpulse.post("/v1/jobs", "{\"type\":\"x.dos\",\"tags\":[\"" + tag + "\"]}")).get("id").asText();
            assertThat(jobpulse.get("/v1/jobs/" + job).statusCode()).as("read-your-writes still holds").isEqualTo(200);
            // The store has the job before the topology commits it: once it is projected, the topology is idle and caught up.
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    json(jobpulse.get("/v1/jobs?tag=" + tag + "&count=true")).path("total").asInt() == 1);

            double adminBefore = adminRequests();
            long callsBefore = queries.kafkaCalls();
            long readsBefore = queries.storeReads();
            int old = 40;
            long oldStarted = System.nanoTime();
            for (int i = 0; i < old; i++) {
                assertProblem(jobpulse.get("/v1/jobs/" + UUID.randomUUID()), 404);
                assertProblem(jobpulse.get("/v1/jobs/" + idMadeAt(Instant.now().plus(Duration.ofHours(1)))), 404);
            }
            long oldMillis = Duration.ofNanos(System.nanoTime() - oldStarted).toMillis();
            long readsOfOld = queries.storeReads() - readsBefore;
            double adminOfOld = adminRequests() - adminBefore;
            long callsOfOld = queries.kafkaCalls() - callsBefore;

            int recent = 3;
            long recentBefore = queries.storeReads();
            double adminRecentBefore = adminRequests();
            long callsRecentBefore = queries.kafkaCalls();
            for (int i = 0; i < recent; i++) {
                assertProblem(jobpulse.get("/v1/jobs/" + idMadeAt(Instant.now())), 404);
            }
            assertProblem(jobpulse.post("/v1/jobs/" + idMadeAt(Instant.now()) + "/cancel", "{}"), 404);
            long readsOfRecent = queries.storeReads() - recentBefore;
            double adminOfRecent = adminRequests() - adminRecentBefore;
            long callsOfRecent = queries.kafkaCalls() - callsRecentBefore;

            System.out.printf("missing ids: %d old or future ids in %d ms with %d store reads, %d admin calls (%.0f Kafka admin requests);"
                    + " %d recent-looking ids with %d store reads, %d admin calls (%.0f Kafka admin requests)%n",
                    2 * old, oldMillis, readsOfOld, callsOfOld, adminOfOld, recent + 1, readsOfRecent, callsOfRecent, adminOfRecent);
            // A partition's end, asked of Kafka, answers for every id that is not recent for two seconds (window 1 s + 1 s skew
            // in this test's shorter terms: at least once per partition here), and a task that never committed asks its group's offset.
            int partitions = jobpulse.context().getProperty("jobpulse.topics.partitions", Integer.class).orElseThrow();
            assertThat(callsOfOld).as("a few admin calls per partition, not per id").isLessThanOrEqualTo(2L * partitions * (1 + oldMillis / 1000));
            assertThat(readsOfOld).as("one store read for an id that is not recent, and one more after asking Kafka")
                    .isBetween(2L * old, 2L * old + callsOfOld);
            // The admin client also refreshes its metadata now and then: requests are bounded loosely, calls exactly.
            assertThat(adminOfOld).as("a few admin requests per partition, not per id").isLessThanOrEqualTo(3.0 * callsOfOld + 3);
            assertThat(readsOfRecent).as("a bounded wait for each recent-looking id").isLessThanOrEqualTo((recent + 1) * 12L);
            assertThat(callsOfRecent).as("at most two admin calls (the partition's end, the group's offset) per recent id")
                    .isPositive().isLessThanOrEqualTo((recent + 1) * 2L);
            assertThat(adminOfRecent).as("their requests (a group's offset takes two) and a metadata refresh or so").isLessThanOrEqualTo((recent + 1) * 3L + 3);
        }
    }

    @Test
    void beyondItsWaitersAMissingRecentIdIsAnswered503AtOnce() throws Exception {
        try (JobpulseInstance jobpulse = JobpulseInstance.start(Map.of("jobpulse.topology.read-your-writes-window", "3s",
                "jobpulse.topology.read-your-writes-waiters", "2"));
             ExecutorService attackers = Executors.newFixedThreadPool(8)) {
            assertProblem(jobpulse.get("/v1/jobs/" + UUID.randomUUID()), 404);
            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                answers.add(CompletableFuture.supplyAsync(() -> jobpulse.get("/v1/jobs/" + idMadeAt(Instant.now())), attackers));
            }
            List<HttpResponse<String>> refused = answers.stream().map(CompletableFuture::join).filter(a -> a.statusCode() == 503).toList();

            assertThat(refused).as("at most two wait; the others are turned away").hasSizeGreaterThanOrEqualTo(6);
            assertProblem(refused.getFirst(), 503);
            assertThat(refused.getFirst().headers().firstValue("Retry-After")).isPresent();
            assertThat(json(refused.getFirst()).get("detail").asText()).contains("Retry");
        }
    }

    @Test
    void aFloodOfSocketMessagesGets429ErrorsAndThenACloseWith1008() throws Exception {
        try (JobpulseInstance jobpulse = JobpulseInstance.start(Map.of("jobpulse.push.socket-messages-per-second", "1",
                "jobpulse.push.socket-message-burst", "3", "jobpulse.push.socket-refusals-before-close", "5"));
             SocketClient flooder = new SocketClient(jobpulse)) {
            for (int i = 0; i < 50 && flooder.closes.isEmpty(); i++) {
                try {
                    flooder.send("{\"type\":\"ping\",\"id\":\"p" + i + "\"}");
                } catch (RuntimeException closedMeanwhile) {
                    break;
                }
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> !flooder.closes.isEmpty());

            assertThat(flooder.closes.getFirst()).startsWith("1008").contains("rate-limited");
            assertThat(flooder.ofType("pong").size()).as("the burst is answered").isBetween(3, 5);
            assertThat(flooder.ofType("error")).hasSizeBetween(1, 5).allSatisfy(error -> {
                assertThat(error.at("/problem/status").asInt()).isEqualTo(429);
                assertThat(error.at("/problem/type").asText()).endsWith("/rate-limited");
                assertThat(error.at("/problem/detail").asText()).contains("per second");
            });
        }
    }

    @Test
    void aSocketMessageOverSixteenKibClosesTheSocketWith1009HoweverItIsFramed() {
        try (JobpulseInstance jobpulse = JobpulseInstance.start(Map.of())) {
            try (SocketClient fits = new SocketClient(jobpulse)) {
                fits.send("{\"type\":\"ping\",\"id\":\"" + "x".repeat(15 * 1024) + "\"}");
                await().atMost(Duration.ofSeconds(10)).until(() -> !fits.ofType("pong").isEmpty());
            }
            for (int size : new int[] {20 * 1024, 1024 * 1024}) {
                try (SocketClient socket = new SocketClient(jobpulse)) {
                    socket.send("{\"type\":\"ping\",\"id\":\"" + "x".repeat(size) + "\"}");
                    await().atMost(Duration.ofSeconds(10)).until(() -> !socket.closes.isEmpty());
                    assertThat(socket.closes.getFirst()).as(size + " bytes").startsWith("1009");
                    assertThat(socket.ofType("pong")).as("the message was not read").isEmpty();
                }
            }
        }
    }

    @Test
    void historyOfAJobWithManyEventsAnswersBoundedPagesWithACursorToTheNext() {
        try (JobpulseInstance jobpulse = JobpulseInstance.allRoles()) {
            String job = json(jobpulse.post("/v1/jobs", "{\"type\":\"x.chatty\"}")).get("id").asText();
            int reports = 120;
            for (int i = 1; i <= reports; i++) {
                assertThat(jobpulse.post("/v1/jobs/" + job + "/reports", "{\"status\":\"running\",\"progress\":" + (i / 1000.0) + "}")
                        .statusCode()).isEqualTo(202);
            }
            String raw = "/v1/jobs/" + job + "/history?raw=true";
            await().atMost(Duration.ofSeconds(30)).until(() -> eventsSoFar(jobpulse, raw) == reports + 1);

            JsonNode first = json(jobpulse.get(raw));
            assertThat(first.get("events")).as("the default page").hasSize(50);
            assertThat(first.has("changes")).as("the timeline is the plain history's").isFalse();
            assertThat(first.at("/events/0/appliedAs").asLong()).isEqualTo(1);
            assertThat(first.at("/events/49/appliedAs").asLong()).isEqualTo(50);
            assertThat(first.get("nextCursor").asText()).isNotBlank();

            Set<String> seen = new HashSet<>();
            List<Integer> sizes = new ArrayList<>();
            String cursor = null;
            do {
                JsonNode page = json(jobpulse.get(raw + "&limit=100" + (cursor == null ? "" : "&cursor=" + cursor)));
                sizes.add(page.get("events").size());
                page.get("events").forEach(event -> assertThat(seen.add(event.get("eventId").asText())).as("no event twice").isTrue());
                cursor = page.path("nextCursor").asText(null);
            } while (cursor != null);
            assertThat(sizes).containsExactly(100, 21);
            assertThat(seen).hasSize(reports + 1);

            assertProblem(jobpulse.get(raw + "&limit=1000"), 400);
            assertProblem(jobpulse.get(raw + "&cursor=not-a-cursor"), 400);

            String plain = "/v1/jobs/" + job + "/history";
            await().atMost(Duration.ofSeconds(30)).until(() -> versionsSoFar(jobpulse, plain).size() == reports + 1);
            JsonNode firstChanges = json(jobpulse.get(plain));
            assertThat(firstChanges.get("changes")).as("the default page of changes").hasSize(50);
            assertThat(firstChanges.get("nextCursor").asText()).isNotBlank();
            assertThat(versionsSoFar(jobpulse, plain)).as("every version once, in order")
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, reports + 1).boxed().toList());
            assertProblem(jobpulse.get(plain + "?cursor=not-a-cursor"), 400);
        }
    }

    /** Every version the plain history gives, page by page. */
    private static List<Long> versionsSoFar(JobpulseInstance jobpulse, String plain) {
        List<Long> versions = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = json(jobpulse.get(plain + "?limit=100" + (cursor == null ? "" : "&cursor=" + cursor)));
            page.get("changes").forEach(change -> versions.add(change.get("version").asLong()));
            cursor = page.path("nextCursor").asText(null);
        } while (cursor != null);
        return versions;
    }

    private static int eventsSoFar(JobpulseInstance jobpulse, String raw) {
        int count = 0;
        String cursor = null;
        do {
            JsonNode page = json(jobpulse.get(raw + "&limit=100" + (cursor == null ? "" : "&cursor=" + cursor)));
            count += page.get("events").size();
            cursor = page.path("nextCursor").asText(null);
        } while (cursor != null);
        return count;
    }

    @Test
    void behindOneProxyAClientChosenForwardedForEntryDoesNotEscapeTheAddressLimitAndTheTableStaysBounded() {
        try (JobpulseInstance jobpulse = JobpulseInstance.start(Map.of("jobpulse.limits.per-ip-per-second", "0.1",
                "jobpulse.limits.per-ip-burst", "3", "jobpulse.limits.forwarded-for-hops", "1",
                "jobpulse.limits.rate-table-size", "50"))) {
            List<Integer> attacker = new ArrayList<>();
            HttpResponse<String> limited = null;
            for (int i = 0; i < 6; i++) {
                // The attacker writes any X-Forwarded-For; the proxy appends the address it saw.
                String chosen = ThreadLocalRandom.current().nextInt(1, 255) + "." + i + ".0." + ThreadLocalRandom.current().nextInt(1, 255);
                limited = jobpulse.sendAsIs(HttpRequest.newBuilder(jobpulse.uri("/health/liveness"))
                        .header("X-Forwarded-For", chosen + ", 198.51.100.7").build());
                attacker.add(limited.statusCode());
            }
            assertThat(attacker).containsExactly(200, 200, 200, 429, 429, 429);
            assertProblem(limited, 429);
            assertThat(limited.headers().firstValue("Retry-After")).isPresent();

            HttpResponse<String> neighbour = jobpulse.sendAsIs(HttpRequest.newBuilder(jobpulse.uri("/health/liveness"))
                    .header("X-Forwarded-For", "198.51.100.8").build());
            assertThat(neighbour.statusCode()).as("another client behind the same proxy has its own limit").isEqualTo(200);

            RequestLimits limits = jobpulse.context().getBean(RequestLimits.class);
            for (int i = 0; i < 300; i++) {
                jobpulse.sendAsIs(HttpRequest.newBuilder(jobpulse.uri("/health/liveness"))
                        .header("X-Forwarded-For", "10.7." + (i / 250) + "." + (i % 250 + 1)).build());
                assertThat(limits.addressesTracked()).isLessThanOrEqualTo(50);
            }
            assertThat(limits.addressesTracked()).isEqualTo(50);
        }
    }
}
