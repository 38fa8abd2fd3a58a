package io.jobpulse.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.jobpulse.events.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job metrics on {@code /prometheus}, moved by real jobs on one instance with every role: submissions and
 * finishes with their histograms, the stuck-job gauge (with a stuck-after of a second), a callback's verdict, a
 * rejection's reason, the SSE connection gauge and push's latency. And the monitoring files in {@code deploy/}:
 * every metric that an alert rule or a dashboard panel names is one this instance exposes once jobs have run.
 * Each test uses job types of its own, so that the counts it reads are its jobs' alone.
 */
class MetricsTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path ALERTS = ROOT.resolve("deploy/prometheus/alerts.yml");
    private static final Path DASHBOARD = ROOT.resolve("deploy/grafana/dashboards/jobpulse.json");
    private static final byte[] SECRET = "replicate's secret, 32 bytes....".getBytes(StandardCharsets.UTF_8);
    /** Names an expression may use that Jobpulse does not expose: Prometheus' own {@code up}. */
    private static final Set<String> NOT_JOBPULSES = Set.of("up");
    private static JobpulseInstance jobpulse;

    @BeforeAll
    static void start() throws Exception {
        Map<String, Object> props = new HashMap<>(JobpulseInstance.LOOPBACK_ALLOWED);
        props.put("jobpulse.notifications.allow-http", "true");
        props.put("jobpulse.providers.replicate.secrets", List.of("whsec_" + Base64.getEncoder().encodeToString(SECRET)));
        props.put("jobpulse.metrics.stuck-after", "1s");
        props.put("jobpulse.metrics.refresh", "200ms");
        // The flow metrics are counted where a change's row is first inserted into the read model: a projectors'
        // group and a database of this instance's own, so that no other test's instance on the same broker takes
        // some of its partitions, nor inserts the rows first.
        String group = "metrics-test-" + System.nanoTime();
        startsAtTheEnd(group, Topics.JOB_STATUS.name());
        props.put("jobpulse.projections.group-id", group);
        props.put("datasources.default.url", TestStack.get().newDatabase("metrics"));
        jobpulse = JobpulseInstance.start(props);
    }

    /**
     * Commits the group's offsets at the topic's end, so that its projectors take only the changes made from now
     * on, not the whole history the other tests on this broker wrote before. A topic not made yet has none.
     */
    private static void startsAtTheEnd(String group, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.get().bootstrapServers))) {
            if (!admin.listTopics().names().get().contains(topic)) {
                return;
            }
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                    .forEach(partition -> latest.put(new TopicPartition(topic, partition.partition()), OffsetSpec.latest()));
            Map<TopicPartition, OffsetAndMetadata> ends = new HashMap<>();
            admin.listOffsets(latest).all().get().forEach((partition, end) -> ends.put(partition, new OffsetAndMetadata(end.offset())));
            admin.alterConsumerGroupOffsets(group, ends).all().get();
        }
    }

    @AfterAll
    static void stop() {
        jobpulse.close();
    }

    @Test
    void countsSubmissionsAndFinishesOncePerJobWithTheirTimes() {
        String type = uniqueType("flow");
        List<String> jobs = List.of(submit(type), submit(type), submit(type));
        for (String job : jobs) {
            report(job, "{\"status\":\"running\"}");
        }
        report(jobs.get(0), "{\"status\":\"succeeded\"}");
        report(jobs.get(1), "{\"status\":\"succeeded\"}");
        report(jobs.get(2), "{\"status\":\"failed\",\"error\":{\"code\":\"x\",\"message\":\"no\"}}");

        String t = "type=\"" + type + "\"";
        awaitValue("jobpulse_jobs_finished_total", Map.of("type", type, "status", "succeeded"), 2);
        awaitValue("jobpulse_jobs_finished_total", Map.of("type", type, "status", "failed"), 1);
        String scrape = scrape();
        assertThat(value(scrape, "jobpulse_jobs_submitted_total", Map.of("type", type))).isEqualTo(3);
        assertThat(value(scrape, "jobpulse_jobs_time_to_start_seconds_count", Map.of("type", type))).isEqualTo(3);
        assertThat(value(scrape, "jobpulse_jobs_time_to_finish_seconds_count", Map.of("type", type, "status", "succeeded"))).isEqualTo(2);
        assertThat(value(scrape, "jobpulse_jobs_time_to_finish_seconds_bucket", Map.of("type", type, "status", "failed", "le", "+Inf")))
                .isEqualTo(1);
        assertThat(scrape).as("buckets in seconds").contains("jobpulse_jobs_time_to_start_seconds_bucket{" + t + ",le=\"1.0\"}");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                value(scrape(), "jobpulse_jobs_by_status", Map.of("status", "succeeded")) >= 2);
    }

    @Test
    void countsARunningJobWithoutChangeAsStuckUntilItFinishes() {
        String type = uniqueType("stuck");
        String job = submit(type);
        report(job, "{\"status\":\"running\"}");
        awaitValue("jobpulse_jobs_stuck", Map.of("type", type), 1);
        report(job, "{\"status\":\"succeeded\"}");
        awaitValue("jobpulse_jobs_stuck", Map.of("type", type), 0);
    }

    @Test
    void countsCallbackVerdictsAndRejectionReasons() {
        double verified = value(scrape(), "jobpulse_webhook_verifications_total", Map.of("provider", "replicate", "verdict", "verified"));
        double forged = value(scrape(), "jobpulse_webhook_verifications_total", Map.of("provider", "replicate", "verdict", "bad_signature"));
        double notFound = value(scrape(), "jobpulse_http_rejections_total", Map.of("reason", "not-found", "status", "404"));
        String job = uniqueType("webhook");
        String hook = json(jobpulse.post("/v1/jobs", "{\"type\":\"" + job + "\"}")).at("/webhooks/replicate").asText();
        String body = "{\"id\":\"r1\",\"status\":\"processing\"}";
        assertThat(jobpulse.send(StandardWebhooksSigner.signed(jobpulse.uri(hook), "d-" + UUID.randomUUID(), body, SECRET, Instant.now()))
                .statusCode()).isEqualTo(200);
        assertThat(jobpulse.send(StandardWebhooksSigner.signed(jobpulse.uri(hook), "d-" + UUID.randomUUID(), body,
                "another secret, also 32 bytes...".getBytes(StandardCharsets.UTF_8), Instant.now())).statusCode()).isEqualTo(401);
        assertThat(jobpulse.get("/v1/jobs/" + UUID.randomUUID()).statusCode()).isEqualTo(404);

        String scrape = scrape();
        assertThat(value(scrape, "jobpulse_webhook_verifications_total", Map.of("provider", "replicate", "verdict", "verified")))
                .isEqualTo(verified + 1);
        assertThat(value(scrape, "jobpulse_webhook_verifications_total", Map.of("provider", "replicate", "verdict", "bad_signature")))
                .isEqualTo(forged + 1);
        assertThat(value(scrape, "jobpulse_http_rejections_total", Map.of("reason", "not-found", "status", "404")))
                .isGreaterThanOrEqualTo(notFound + 1);
        assertThat(value(scrape, "jobpulse_http_rejections_total", Map.of("reason", "unauthorized", "status", "401"))).isPositive();
    }

    @Test
    void gaugesAnOpenStreamAndTimesTheChangesItIsSent() {
        String type = uniqueType("push");
        double delivered = value(scrape(), "jobpulse_push_delivery_latency_seconds_count", Map.of());
        try (SseClient stream = jobpulse.stream("/v1/stream?type=" + type, null)) {
            awaitValue("jobpulse_push_connections", Map.of("transport", "sse"), 1);
            String job = submit(type);
            report(job, "{\"status\":\"succeeded\"}");
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> stream.updates().size() >= 2);
            assertThat(value(scrape(), "jobpulse_push_delivery_latency_seconds_count", Map.of())).isGreaterThanOrEqualTo(delivered + 2);
        }
        awaitValue("jobpulse_push_connections", Map.of("transport", "sse"), 0);
    }

    /** The important one: an alert or a panel on a metric that does not exist is silent forever. */
    @Test
    void alertsAndDashboardNameOnlyMetricsJobpulseExposes() throws Exception {
        String type = uniqueType("names");
        String job = submit(type);
        report(job, "{\"status\":\"running\"}");
        report(job, "{\"status\":\"succeeded\"}");
        awaitValue("jobpulse_jobs_finished_total", Map.of("type", type, "status", "succeeded"), 1);
        // A running job of its own keeps a stuck series, and a stream a push latency; the notifications' series
        // come with an endpoint's first delivery, so one is registered (on a receiver here) and sent one.
        report(submit(type), "{\"status\":\"running\"}");
        awaitValue("jobpulse_jobs_stuck", Map.of("type", type), 1);
        String rules = Files.readString(ALERTS);
        Map<String, Object> alerts = new Yaml().load(rules);
        List<String> expressions = new ArrayList<>();
        for (Object group : (List<?>) alerts.get("groups")) {
            for (Object rule : (List<?>) ((Map<?, ?>) group).get("rules")) {
                Map<?, ?> r = (Map<?, ?>) rule;
                assertThat(r.get("alert")).as("every rule is an alert with a name").isNotNull();
                assertThat(((Map<?, ?>) r.get("annotations")).keySet().stream().map(String::valueOf).toList()).as("annotations")
                        .contains("summary", "description");
                expressions.add(String.valueOf(r.get("expr")));
            }
        }
        var dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        assertThat(dashboard.get("uid").asText()).isEqualTo("jobpulse");
        dashboard.get("panels").forEach(panel -> panel.get("targets").forEach(target -> expressions.add(target.get("expr").asText())));

        Set<String> names = new TreeSet<>();
        expressions.forEach(expression -> names.addAll(metricNames(expression)));
        assertThat(names).contains("jobpulse_jobs_stuck", "jobpulse_push_delivery_latency_seconds_bucket");
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        try {
            var created = jobpulse.post("/v1/endpoints", "{\"url\":\"http://127.0.0.1:" + receiver.getAddress().getPort()
                    + "/hooks\",\"filter\":{\"types\":[\"" + type + "\"]}}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            report(submit(type), "{\"status\":\"succeeded\"}");
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(200, TimeUnit.MILLISECONDS).untilAsserted(() -> {
                String scrape = scrape();
                assertThat(names.stream().filter(name -> !NOT_JOBPULSES.contains(name))
                        .filter(name -> !Pattern.compile("(?m)^" + name + "[{ ]").matcher(scrape).find()).toList())
                        .as("metrics named by alerts.yml or jobpulse.json that /prometheus does not expose").isEmpty();
            });
        } finally {
            receiver.stop(0);
        }
    }

    @Test
    void promtoolAcceptsTheRules() throws Exception {
        Assumptions.assumeTrue(NodeScript.onPath("promtool"), "promtool is not installed: deploy/prometheus/alerts.yml is not checked by it");
        Process check = new ProcessBuilder("promtool", "check", "rules", ALERTS.toString()).redirectErrorStream(true).start();
        String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.waitFor()).as(output).isZero();
    }

    /** The metric names of a PromQL expression: what is left once strings, selectors, ranges, label lists and calls are gone. */
    static Set<String> metricNames(String expression) {
        String bare = expression.replaceAll("\"[^\"]*\"", "").replaceAll("\\{[^}]*}", "").replaceAll("\\[[^]]*]", "")
                .replaceAll("\\$\\w+", "")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", "");
        Set<String> names = new TreeSet<>();
        Matcher identifier = Pattern.compile("\\b([a-zA-Z_:][a-zA-Z0-9_:]*)\\b(\\s*\\()?").matcher(bare);
        while (identifier.find()) {
            String name = identifier.group(1);
            if (identifier.group(2) == null && !Set.of("and", "or", "unless", "bool", "offset", "inf", "nan", "e").contains(name)
                    && !name.matches("\\d.*")) {
                names.add(name);
            }
        }
        return names;
    }

    private static String uniqueType(String what) {
        return "x.metrics." + what + "." + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String submit(String type) {
        var accepted = jobpulse.post("/v1/jobs", "{\"type\":\"" + type + "\"}");
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        return json(accepted).get("id").asText();
    }

    private static void report(String job, String body) {
        var answer = jobpulse.post("/v1/jobs/" + job + "/reports", body);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
    }

    private static String scrape() {
        var answer = jobpulse.send(HttpRequest.newBuilder(jobpulse.uri("/prometheus"))
                .header("Authorization", "Bearer " + JobpulseInstance.adminToken()).GET());
        assertThat(answer.statusCode()).isEqualTo(200);
        return answer.body();
    }

    private static void awaitValue(String metric, Map<String, String> labels, double expected) {
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(100, TimeUnit.MILLISECONDS)
                .untilAsserted(() -> assertThat(value(scrape(), metric, labels)).isEqualTo(expected));
    }

    /** The sample of this metric with at least these labels (0 when there is none), from a scrape. */
    static double value(String scrape, String metric, Map<String, String> labels) {
        double sum = 0;
        Matcher line = Pattern.compile("(?m)^" + Pattern.quote(metric) + "(\\{([^}]*)})? (\\S+)").matcher(scrape);
        while (line.find()) {
            String found = line.group(2) == null ? "" : line.group(2);
            if (labels.entrySet().stream().allMatch(label -> found.contains(label.getKey() + "=\"" + label.getValue() + "\""))) {
                sum += Double.parseDouble(line.group(3));
            }
        }
        return sum;
    }
}
