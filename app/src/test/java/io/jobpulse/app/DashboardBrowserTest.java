package io.jobpulse.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.jobpulse.app.demo.DemoPicture;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dashboard in Chromium ({@code browser-tests/dashboard.mjs}) against a real instance, through a
 * link this test cuts: a pasted string that is no token is refused, and a user signs in by pasting
 * hers; once the link is cut the page says it is reconnecting, then live again; a job this test submits and reports appears, its progress bar
 * moves without moving anything else, and its result picture (served by this test on loopback)
 * shows, in its row and in its panel, opened, which follows it live; the Cancel button cancels
 * another job, whose timeline then shows the cancel; the status filter shows only what it chose;
 * none of another user's jobs ever appears. Then screenshots
 * of a dashboard with jobs in every state are saved under {@code target/} (dashboard.png,
 * dashboard-job.png, dashboard-timeline.png, and at a phone's 390 px: dashboard-390.png, dashboard-job-390.png).
 */
class DashboardBrowserTest {

    private static final Duration STEP = Duration.ofSeconds(60);
    private static final String USER = "ada";

    @Test
    void aUserWatchesTheirJobsLiveSeesTheirResultsAndCancelsOne() throws Exception {
        try (JobpulseInstance jobpulse = JobpulseInstance.allRoles(); Pictures pictures = new Pictures();
             CuttingProxy link = new CuttingProxy(jobpulse.uri("/").getPort())) {
            // Users of this test alone: the broker and database are shared with other test classes, whose jobs belong to alice.
            String alice = JobpulseInstance.token(USER);
            String bob = JobpulseInstance.token("dashboard-bob");
            submit(jobpulse, bob, "{\"type\":\"bobs.private\",\"tags\":[\"demo\"]}");
            Path target = Path.of("target").toAbsolutePath();
            String base = "http://127.0.0.1:" + link.port();
            try (NodeScript browser = BrowserTests.start("dashboard.mjs", "--base", base, "--token", alice,
                    "--screenshots", target.toString(), "--watched", "image.generate", "--to-cancel", "video.upscale",
                    "--last", "speech.synthesize")) {
                JsonNode refused = browser.awaitLine(step("refused"), STEP);
                assertThat(refused.get("message").asText()).contains("not accepted");
                assertThat(refused.get("devUsers").asBoolean()).as("no dev users outside dev").isFalse();
                JsonNode signedIn = browser.awaitLine(step("signed-in"), STEP);
                assertThat(signedIn.get("who").asText()).isEqualTo(USER);
                link.cut();
                browser.awaitLine(line -> step("connection").test(line) && line.get("state").asText().equals("reconnecting"), STEP);
                browser.awaitLine(line -> step("connection").test(line) && line.get("state").asText().equals("open"), STEP);
                submit(jobpulse, bob, "{\"type\":\"bobs.private\",\"tags\":[\"demo\"]}");

                String watched = submit(jobpulse, alice, "{\"type\":\"image.generate\",\"input\":{\"prompt\":\"a lighthouse at dusk\"},\"tags\":[\"demo\"]}");
                browser.awaitLine(watched(watched, "queued", 0), STEP);
                report(jobpulse, alice, watched, "{\"status\":\"running\",\"progress\":0.25,\"message\":\"denoising\"}");
                browser.awaitLine(watched(watched, "running", 25), STEP);
                report(jobpulse, alice, watched, "{\"progress\":0.75,\"message\":\"upscaling\"}");
                browser.awaitLine(watched(watched, "running", 75), STEP);
                report(jobpulse, alice, watched, "{\"status\":\"succeeded\",\"result\":{\"image_url\":\"" + pictures.url("lighthouse") + "\"}}");
                JsonNode done = browser.awaitLine(line -> watched(watched, "succeeded", 100).test(line) && line.path("image").path("loaded").asBoolean(), STEP);
                assertThat(done.at("/image/width").asInt()).isEqualTo(DemoPicture.WIDTH);
                assertThat(done.at("/panel/job").asText()).isEqualTo(watched);
                assertThat(done.at("/panel/progress").asInt()).as("the opened job's panel follows it").isEqualTo(100);
                List<JsonNode> seen = browser.lines.stream().filter(step("watched")).toList();
                List<Integer> fills = seen.stream().map(line -> line.get("fill").asInt()).toList();
                assertThat(fills).as("the bar grows with the progress").isSorted();
                assertThat(new LinkedHashSet<>(fills)).as("0, 25, 75 and 100%").hasSize(4);
                assertThat(seen).extracting(line -> line.get("rowHeight").asInt()).as("the row keeps its height").containsOnly(seen.get(0).get("rowHeight").asInt());
                assertThat(seen).extracting(line -> line.get("progressBox").toString()).as("the progress column stays put").containsOnly(seen.get(0).get("progressBox").toString());
                assertThat(pictures.served).as("the browser loaded the picture from its address").contains("lighthouse");

                String toCancel = submit(jobpulse, alice, "{\"type\":\"video.upscale\",\"tags\":[\"demo\"]}");
                JsonNode canceled = browser.awaitLine(step("canceled"), STEP);
                assertThat(canceled.get("job").asText()).isEqualTo(toCancel);
                assertThat(canceled.get("cancelButtons").asInt()).as("an ended job has no Cancel").isZero();
                assertThat(canceled.get("retryButtons").asInt()).as("a canceled job may be retried").isOne();
                JsonNode state = json(read(jobpulse, alice, toCancel));
                assertThat(state.get("status").asText()).isEqualTo("canceled");
                assertThat(browser.awaitLine(step("filtered"), STEP).get("jobs")).extracting(JsonNode::asText).containsExactly(toCancel);

                showcase(jobpulse, alice, pictures);
                JsonNode shots = browser.awaitLine(step("screenshots"), Duration.ofSeconds(90));
                browser.assertSucceeds(Duration.ofSeconds(30));
                List<String> types = new ArrayList<>();
                shots.get("types").forEach(type -> types.add(type.asText()));
                assertThat(types).as("alice's jobs only").contains("image.generate", "video.upscale", "speech.synthesize")
                        .doesNotContain("bobs.private");
                assertThat(shots.at("/overflow/390").asInt()).as("nothing wider than a phone").isLessThanOrEqualTo(0);
                assertThat(shots.at("/overflow/panel390").asInt()).as("a job's panel no wider than a phone").isLessThanOrEqualTo(0);
                for (String name : List.of("dashboard.png", "dashboard-job.png", "dashboard-timeline.png", "dashboard-390.png",
                        "dashboard-job-390.png")) {
                    assertThat(Files.size(target.resolve(name))).as(name).isGreaterThan(10_000);
                }
                assertThat(browser.lines).as("no script errors on the page").noneMatch(line -> line.has("pageError"));
            }
        }
    }

    /** Jobs in every state, like the demo's, for the screenshots; the last one submitted is a speech.synthesize job. */
    private static void showcase(JobpulseInstance jobpulse, String user, Pictures pictures) {
        String expiring = submit(jobpulse, user, "{\"type\":\"video.generate\",\"input\":{\"prompt\":\"waves\"},\"timeout\":\"PT1S\",\"tags\":[\"demo\"]}");
        String[][] jobs = {
            {"{\"type\":\"image.edit\",\"tags\":[\"demo\",\"batch-7\"]}", "{\"status\":\"succeeded\",\"result\":{\"url\":\"" + pictures.url("fox") + "\"}}"},
            {"{\"type\":\"image.upscale\",\"tags\":[\"demo\"]}", "{\"status\":\"succeeded\",\"result\":{\"output\":[\"" + pictures.url("harbour") + "\"]}}"},
            {"{\"type\":\"audio.transcribe\",\"tags\":[\"demo\"]}", "{\"status\":\"succeeded\",\"message\":\"3 min 12 s of audio\",\"result\":{\"text\":\"Welcome, everyone.\"}}"},
            {"{\"type\":\"image.variations\",\"tags\":[\"demo\"]}", "{\"status\":\"failed\",\"progress\":0.6,\"error\":{\"code\":\"safety-filter\",\"message\":\"the output was blocked by the safety filter\"}}"},
            {"{\"type\":\"video.render\",\"tags\":[\"demo\"]}", "{\"status\":\"running\",\"progress\":0.62,\"message\":\"encoding frames 310/500\"}"},
            {"{\"type\":\"image.inpaint\",\"tags\":[\"demo\"]}", null},
        };
        for (String[] job : jobs) {
            String id = submit(jobpulse, user, job[0]);
            if (job[1] != null) {
                report(jobpulse, user, id, job[1]);
            }
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> json(read(jobpulse, user, expiring)).get("status").asText().equals("expired"));
        String last = submit(jobpulse, user, "{\"type\":\"speech.synthesize\",\"tags\":[\"demo\"]}");
        report(jobpulse, user, last, "{\"status\":\"running\",\"progress\":0.4,\"message\":\"voice 2 of 5\"}");
    }

    private static Predicate<JsonNode> step(String name) {
        return line -> line.path("step").asText().equals(name);
    }

    private static Predicate<JsonNode> watched(String job, String status, int progress) {
        return line -> step("watched").test(line) && line.path("job").asText().equals(job)
                && line.path("status").asText().equals(status) && line.path("progress").asInt() == progress;
    }

    private static String submit(JobpulseInstance jobpulse, String token, String body) {
        HttpResponse<String> answer = jobpulse.send(HttpRequest.newBuilder(jobpulse.uri("/v1/jobs")).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
        return json(answer).get("id").asText();
    }

    private static HttpResponse<String> read(JobpulseInstance jobpulse, String token, String job) {
        return jobpulse.send(HttpRequest.newBuilder(jobpulse.uri("/v1/jobs/" + job)).header("Authorization", "Bearer " + token));
    }

    private static void report(JobpulseInstance jobpulse, String token, String job, String body) {
        HttpResponse<String> answer = jobpulse.send(HttpRequest.newBuilder(jobpulse.uri("/v1/jobs/" + job + "/reports"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
    }

    /** Result pictures on loopback, as a provider's storage would serve them; remembers which were fetched. */
    private static final class Pictures implements AutoCloseable {

        final List<String> served = new CopyOnWriteArrayList<>();
        private final HttpServer server;

        Pictures() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/pictures/", exchange -> {
                String name = exchange.getRequestURI().getPath().replaceAll("^/pictures/|\\.png$", "");
                served.add(name);
                byte[] png = DemoPicture.png(name);
                exchange.getResponseHeaders().add("Content-Type", "image/png");
                exchange.sendResponseHeaders(200, png.length);
                exchange.getResponseBody().write(png);
                exchange.close();
            });
            server.start();
        }

        String url(String name) {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/pictures/" + name + ".png";
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
