package io.jobpulse.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.devstack.FreePorts;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /v1/ws} from pages in a real browser ({@code browser-tests/ws-from-page.mjs}): a page of
 * Jobpulse's own origin and one of an allowed CORS origin each get a stream token, open a socket,
 * subscribe to a job, receive its snapshot and the change a report makes, and close it cleanly
 * (1000); a page of another origin never gets a socket.
 */
class BrowserWebSocketTest {

    @Test
    void pagesOfTheOwnAndAllowedOriginsFollowAJobAndPagesElsewhereGetNoSocket() throws Exception {
        int allowedPort = FreePorts.pick();
        int otherPort = FreePorts.pick();
        String allowedOrigin = "http://127.0.0.1:" + allowedPort;
        try (JobpulseInstance jobpulse = JobpulseInstance.start(Map.of("micronaut.server.cors.configurations.web.allowed-origins", List.of(allowedOrigin)))) {
            String job = json(jobpulse.post("/v1/jobs", "{\"type\":\"x.browser\"}")).get("id").asText();
            String base = jobpulse.uri("/").toString().replaceFirst("/$", "");
            try (NodeScript browser = BrowserTests.start("ws-from-page.mjs", "--base", base, "--token", JobpulseInstance.token(JobpulseInstance.USER),
                    "--job", job, "--allowed-port", Integer.toString(allowedPort), "--other-port", Integer.toString(otherPort))) {
                for (String page : List.of("own", "allowed")) {
                    browser.awaitLine(line -> is(line, page, "snapshot"), Duration.ofSeconds(60));
                    assertThat(jobpulse.post("/v1/jobs/" + job + "/reports", "{\"progress\":0." + (page.equals("own") ? 3 : 6) + "}").statusCode())
                            .isEqualTo(202);
                    JsonNode update = browser.awaitLine(line -> is(line, page, "update"), Duration.ofSeconds(30));
                    assertThat(update.get("snapshot").asBoolean()).as(page).isFalse();
                    JsonNode closed = browser.awaitLine(line -> is(line, page, "closed"), Duration.ofSeconds(30));
                    assertThat(closed.get("code").asInt()).as(page + " " + browser.lines).isEqualTo(1000);
                    assertThat(closed.get("wasClean").asBoolean()).as(page).isTrue();
                }
                JsonNode other = browser.awaitLine(line -> line.path("page").asText().equals("other"), Duration.ofSeconds(30));
                browser.assertSucceeds(Duration.ofSeconds(30));

                assertThat(browser.lines).filteredOn(line -> line.has("origin")).extracting(line -> line.get("origin").asText())
                        .containsExactly(base, allowedOrigin, "http://127.0.0.1:" + otherPort);
                assertThat(other.get("opened").asBoolean()).as("the other origin's socket opened: %s", browser.lines).isFalse();
                assertThat(other.get("code").asInt()).as("a socket that failed to open").isEqualTo(1006);
                assertThat(browser.lines).filteredOn(line -> line.path("event").asText().equals("error")).isEmpty();
            }
        }
    }

    private static boolean is(JsonNode line, String page, String event) {
        return line.path("page").asText().equals(page) && line.path("event").asText().equals(event);
    }
}
