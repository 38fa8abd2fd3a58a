package io.jobpulse.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.app.dashboard.DevSignInController;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard and the JavaScript client as a browser fetches them from a real instance: they,
 * and nothing of the API, answer without a credential, with their content types and caching;
 * only instances with the push role serve them, and only dev's configuration offers dev's users.
 */
class DashboardTest {

    private static JobpulseInstance jobpulse;
    private static JobpulseInstance ingestOnly;

    @BeforeAll
    static void start() {
        jobpulse = JobpulseInstance.start(Map.of(DevSignInController.PROPERTY, "true"));
        ingestOnly = JobpulseInstance.start(Map.of("jobpulse.roles", "ingest"));
    }

    @AfterAll
    static void stop() {
        jobpulse.close();
        ingestOnly.close();
    }

    private static HttpResponse<String> anonymous(JobpulseInstance instance, String path) {
        return instance.sendAsIs(HttpRequest.newBuilder(instance.uri(path)).GET().build());
    }

    private static String header(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name).orElse("");
    }

    @Test
    void theDashboardAndTheClientAnswerWithoutACredential() {
        Map<String, String> files = Map.of(
                "/", "text/html",
                "/dashboard/dashboard.js", "text/javascript",
                "/dashboard/dashboard.css", "text/css",
                "/client/jobpulse-client.js", "text/javascript",
                "/client/jobpulse-client.d.ts", "application/typescript");
        files.forEach((path, type) -> {
            HttpResponse<String> answer = anonymous(jobpulse, path);
            assertThat(answer.statusCode()).as(path + ": " + answer.body()).isEqualTo(200);
            assertThat(header(answer, "Content-Type")).as(path).startsWith(type);
            assertThat(header(answer, "Cache-Control")).as(path).isEqualTo("no-cache");
            assertThat(header(answer, "X-Content-Type-Options")).as(path).isEqualTo("nosniff");
            assertThat(header(answer, "ETag")).as(path).isNotEmpty();
        });
        HttpResponse<String> page = anonymous(jobpulse, "/");
        assertThat(page.body()).contains("<script type=\"module\" src=\"/dashboard/dashboard.js\">").doesNotContain("https://")
                .as("told that dev's sign-in is there").contains("<body data-dev-sign-in>");
        assertThat(header(page, "Content-Security-Policy")).contains("script-src 'self'").contains("connect-src 'self'");
        assertThat(anonymous(jobpulse, "/dashboard/dashboard.js").body()).contains("from '/client/jobpulse-client.js'");
        assertThat(anonymous(jobpulse, "/client/jobpulse-client.js").body()).contains("createClient");
    }

    @Test
    void anUnchangedFileIsAnsweredNotModified() {
        String etag = header(anonymous(jobpulse, "/dashboard/dashboard.js"), "ETag");
        HttpResponse<String> again = jobpulse.sendAsIs(HttpRequest.newBuilder(jobpulse.uri("/dashboard/dashboard.js"))
                .header("If-None-Match", etag).GET().build());
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        assertThat(header(again, "ETag")).isEqualTo(etag);
    }

    @Test
    void everyApiPathStillWantsACredential() {
        for (String path : List.of("/v1/jobs", "/v1/jobs/summary", "/v1/jobs/x1/history", "/v1/stream", "/v1/jobs/x1",
                "/dashboard", "/client", "/dashboard/x/y.js", "/prometheus", "/v1/jobs/x1/stream")) {
            HttpResponse<String> answer = anonymous(jobpulse, path);
            assertThat(answer.statusCode()).as(path + ": " + answer.body()).isEqualTo(401);
            assertThat(header(answer, "Content-Type")).as(path).startsWith("application/problem+json");
        }
        HttpResponse<String> submit = jobpulse.sendAsIs(HttpRequest.newBuilder(jobpulse.uri("/v1/jobs"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"x.y\"}")).build());
        assertThat(submit.statusCode()).isEqualTo(401);
    }

    @Test
    void onlyTheDashboardsOwnFilesAreServed() {
        for (String path : List.of("/dashboard/missing.js", "/dashboard/..%2Fapplication.yml", "/client/application.yml",
                "/dashboard/logback.xml", "/client/.hidden.js", "/dashboard/index")) {
            HttpResponse<String> answer = anonymous(jobpulse, path);
            assertThat(answer.statusCode()).as(path + ": " + answer.body()).isEqualTo(404);
            assertThat(header(answer, "Content-Type")).as(path).startsWith("application/problem+json");
            assertThat(answer.body()).as(path).doesNotContain("jobpulse:").doesNotContain("<configuration");
        }
    }

    @Test
    void onlyInstancesWithThePushRoleServeTheDashboard() {
        assertThat(anonymous(ingestOnly, "/").statusCode()).isEqualTo(401);
        assertThat(anonymous(ingestOnly, "/dashboard/dashboard.js").statusCode()).isEqualTo(401);
        assertThat(ingestOnly.get("/").statusCode()).as("not there, with a credential").isEqualTo(404);
        assertThat(ingestOnly.get("/client/jobpulse-client.js").statusCode()).isEqualTo(404);
    }

    @Test
    void devsSignInOffersDevsUsersWithWorkingTokens() {
        HttpResponse<String> answer = anonymous(jobpulse, "/dev/sign-in");
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(header(answer, "Cache-Control")).isEqualTo("no-store");
        JsonNode users = json(answer).get("users");
        assertThat(users.findValuesAsText("name")).containsExactly("alice", "bob");
        for (JsonNode user : users) {
            HttpResponse<String> jobs = jobpulse.send(HttpRequest.newBuilder(jobpulse.uri("/v1/jobs?limit=1"))
                    .header("Authorization", "Bearer " + user.get("token").asText()).GET());
            assertThat(jobs.statusCode()).as(user.get("name").asText() + ": " + jobs.body()).isEqualTo(200);
        }
    }

    @Test
    void devsSignInIsOffByDefault() {
        assertThat(anonymous(ingestOnly, "/dev/sign-in").statusCode()).isEqualTo(401);
        assertThat(ingestOnly.get("/dev/sign-in").statusCode()).isEqualTo(404);
    }
}
