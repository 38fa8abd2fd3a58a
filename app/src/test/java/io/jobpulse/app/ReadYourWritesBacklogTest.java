package io.jobpulse.app;

import io.jobpulse.events.EventSource;
import io.jobpulse.events.JobEvent;
import io.jobpulse.events.JobJson;
import io.jobpulse.events.JobStatus;
import io.jobpulse.events.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A job submitted while the topology works through a backlog is not there yet when its client
 * reads it or reports on it at once, and may not be for longer than the read-your-writes window.
 * That is "retry shortly" (503 with {@code Retry-After}), never "no such job" (404): 404 is said
 * only once the topology has folded every event it had read of the job's partition. The backlog is
 * real: reports of unknown jobs written to every partition of {@code jobpulse.job-events} ahead of
 * the submission, each of which the topology folds into a rejection.
 */
class ReadYourWritesBacklogTest {

    private static final int BACKLOG = 60_000;

    @Test
    void aJobBehindABacklogIsNotFoundOnlyAfterItsPartitionIsFolded() {
        // A short wait, so that the backlog outlasts it on any machine; ids stay recent (waited for) for 2 s.
        try (JobpulseInstance jobpulse = JobpulseInstance.start(Map.of(
                "jobpulse.topology.read-your-writes-window", "2s",
                "jobpulse.topology.read-your-writes-wait", "400ms"))) {
            writeBacklog();
            HttpResponse<String> submitted = jobpulse.post("/v1/jobs", "{\"type\":\"backlog.behind\"}");
            assertThat(submitted.statusCode()).isEqualTo(202);
            String job = json(submitted).get("id").asText();
            // The same time in a UUIDv7 but another random part: an id nobody submitted, as recent as the job's.
            String nobodys = job.substring(0, 24) + "0123456789ab";

            HttpResponse<String> report = jobpulse.post("/v1/jobs/" + job + "/reports", "{\"status\":\"running\"}");
            HttpResponse<String> missing = jobpulse.get("/v1/jobs/" + nobodys);
            assertThat(report.statusCode()).as(report.body()).isEqualTo(503);
            assertThat(report.headers().firstValue("Retry-After")).isPresent();
            assertThat(missing.statusCode()).as(missing.body()).isEqualTo(503);

            // As a client does, it retries on 503: the report is taken once the job is folded, and no answer on the way said
            // 404. Another test's instance joining the topology's group may also make a 503 say the partition is moving; the
            // backlog's own 503 is seen too.
            List<String> unavailable = new ArrayList<>(List.of(report.body()));
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
                HttpResponse<String> again = jobpulse.post("/v1/jobs/" + job + "/reports", "{\"status\":\"running\"}");
                assertThat(again.statusCode()).as(again.body()).isIn(202, 503);
                if (again.statusCode() == 503) {
                    unavailable.add(again.body());
                }
                return again.statusCode() == 202;
            });
            assertThat(unavailable).anySatisfy(body -> assertThat(body).contains("not yet folded"));
            // A recent id nobody submitted is waited for, then, once its partition's backlog is folded too (it may be
            // another partition than the job's), found missing: 503 until then, 404 after, nothing else.
            String fresh = json(jobpulse.post("/v1/jobs", "{\"type\":\"backlog.after\"}")).get("id").asText();
            String freshNobodys = fresh.substring(0, 24) + "0123456789ab";
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
                HttpResponse<String> notFound = jobpulse.get("/v1/jobs/" + freshNobodys);
                assertThat(notFound.statusCode()).as(notFound.body()).isIn(404, 503);
                return notFound.statusCode() == 404;
            });
            assertThat(jobpulse.get("/v1/jobs/" + fresh).statusCode()).isEqualTo(200);
        }
    }

    /** Reports of jobs that were never submitted, on every partition, each a rejection for the topology to write. */
    private static void writeBacklog() {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.get().bootstrapServers,
                ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            Instant now = Instant.now();
            for (int i = 0; i < BACKLOG; i++) {
                String unknown = UUID.randomUUID().toString();
                producer.send(new ProducerRecord<>(Topics.JOB_EVENTS_NAME, unknown, JobJson.write(new JobEvent.ReportReceived(
                        "backlog-" + i, unknown, now, now, EventSource.service("backlog"), JobStatus.RUNNING, null, null, null, null, null))));
            }
            producer.flush();
        }
    }
}
