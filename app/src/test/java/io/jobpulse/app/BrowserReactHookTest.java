package io.jobpulse.app;

import io.jobpulse.devstack.FreePorts;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * jobpulse-react's {@code useJob} in a page in a real browser ({@code browser-tests/react-hook.mjs}):
 * a page of an allowed origin, holding only the stream tokens its backend gives it, shows a job's
 * snapshot and then each change as it happens, under StrictMode, until the job ends: once over
 * Server-Sent Events, once over a WebSocket.
 */
class BrowserReactHookTest {

    private static final Path REACT_CLIENT = Path.of("..", "clients", "react").toAbsolutePath().normalize();

    @Test
    void aJobOnScreenFollowsEveryChangeLive() throws Exception {
        int pagePort = FreePorts.pick();
        String pageOrigin = "http://127.0.0.1:" + pagePort;
        try (JobpulseInstance jobpulse = JobpulseInstance.start(Map.of("micronaut.server.cors.configurations.web.allowed-origins", List.of(pageOrigin)))) {
            String job = json(jobpulse.post("/v1/jobs", "{\"type\":\"x.react\"}")).get("id").asText();
            String base = jobpulse.uri("/").toString().replaceFirst("/$", "");
            if (NodeScript.onPath("npm")) {
                NodeScript.install(REACT_CLIENT, "esbuild");
            }
            try (NodeScript browser = BrowserTests.start("react-hook.mjs", "--base", base, "--token", JobpulseInstance.token(JobpulseInstance.USER),
                    "--job", job, "--page-port", Integer.toString(pagePort))) {
                awaitTexts(browser, "open|queued:0");
                report(jobpulse, job, "{\"status\":\"running\",\"progress\":0.5}");
                awaitTexts(browser, "open|running:0.5");
                report(jobpulse, job, "{\"status\":\"succeeded\"}");
                awaitTexts(browser, "closed|succeeded:1");
                browser.assertSucceeds(Duration.ofSeconds(30));

                assertThat(browser.lines).as("errors in the page").filteredOn(line -> line.has("pageerror") || line.has("failed")).isEmpty();
                assertThat(browser.lines).filteredOn(line -> line.path("event").asText().equals("text"))
                        .extracting(line -> line.get("text").asText()).endsWith("closed|succeeded:1")
                        .allSatisfy(text -> assertThat(text).doesNotStartWith("error|"));
                assertThat(browser.lines).filteredOn(line -> line.path("event").asText().equals("stream")).isNotEmpty()
                        .allSatisfy(line -> assertThat(line.get("url").asText()).startsWith(base + "/v1/jobs/" + job + "/stream?token="));
            }
        }
    }

    /** Waits until both elements, the SSE one and the WebSocket one, showed this text. */
    private static void awaitTexts(NodeScript browser, String text) {
        for (String element : List.of("sse", "websocket")) {
            browser.awaitLine(line -> line.path("event").asText().equals("text") && line.path("element").asText().equals(element)
                    && line.path("text").asText().equals(text), Duration.ofSeconds(60));
        }
    }

    private static void report(JobpulseInstance jobpulse, String job, String body) {
        assertThat(jobpulse.post("/v1/jobs/" + job + "/reports", body).statusCode()).isEqualTo(202);
    }
}
