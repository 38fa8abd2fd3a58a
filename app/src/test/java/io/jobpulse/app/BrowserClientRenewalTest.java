package io.jobpulse.app;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * jobpulse-client in a page of Jobpulse's own origin, imported from where Jobpulse serves it
 * ({@code browser-tests/client-renewal.mjs}), follows a job while its stream tokens expire every
 * few seconds: over SSE and over a WebSocket, it asks the page for fresh tokens before each expiry
 * and hands the page every version once, in order, through the last.
 */
class BrowserClientRenewalTest {

    private static final int TOKEN_SECONDS = 5;

    @Test
    void theClientRenewsItsStreamTokensAcrossExpiriesWithoutMissingAChange() throws Exception {
        try (JobpulseInstance jobpulse = JobpulseInstance.start(Map.of(
                "jobpulse.security.stream-token-ttl", TOKEN_SECONDS + "s",
                "jobpulse.push.token-expiring-notice", "2s"))) {
            String job = json(jobpulse.post("/v1/jobs", "{\"type\":\"x.renewal\"}")).get("id").asText();
            String base = jobpulse.uri("/").toString().replaceFirst("/$", "");
            try (NodeScript browser = BrowserTests.start("client-renewal.mjs", "--base", base,
                    "--token", JobpulseInstance.token(JobpulseInstance.USER), "--job", job)) {
                for (String transport : List.of("sse", "websocket")) {
                    browser.awaitLine(line -> is(line, transport, "job"), Duration.ofSeconds(60));
                }
                // Reports for three tokens' lifetimes, one every half second.
                int reports = TOKEN_SECONDS * 3 * 2;
                for (int i = 1; i <= reports; i++) {
                    String body = i == 1 ? "{\"status\":\"running\",\"progress\":0.01}" : "{\"progress\":0." + String.format("%02d", i) + "}";
                    assertThat(jobpulse.post("/v1/jobs/" + job + "/reports", body).statusCode()).isEqualTo(202);
                    Thread.sleep(500);
                }
                assertThat(jobpulse.post("/v1/jobs/" + job + "/reports", "{\"status\":\"succeeded\"}").statusCode()).isEqualTo(202);
                browser.assertSucceeds(Duration.ofSeconds(60));

                long last = reports + 2;
                for (String transport : List.of("sse", "websocket")) {
                    assertThat(browser.lines).as("errors").filteredOn(line -> line.has("pageerror") || is(line, transport, "error")).isEmpty();
                    assertThat(browser.lines).filteredOn(line -> is(line, transport, "job")).extracting(line -> line.get("version").asLong())
                            .as(transport + ": every version once, in order").containsExactlyElementsOf(LongStream.rangeClosed(1, last).boxed().toList());
                    assertThat(browser.lines).filteredOn(line -> is(line, transport, "token")).as(transport + ": tokens asked for")
                            .hasSizeGreaterThanOrEqualTo(3);
                    assertThat(browser.lines).anySatisfy(line -> assertThat(is(line, transport, "end")).isTrue());
                }
            }
        }
    }

    private static boolean is(JsonNode line, String transport, String event) {
        return line.path("transport").asText().equals(transport) && line.path("event").asText().equals(event);
    }
}
