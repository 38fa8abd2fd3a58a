package io.jobpulse.app;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;

/** Every rejection is application/problem+json with a stable type a client can switch on. */
class ProblemResponsesTest {

    private static JobpulseInstance jobpulse;
    private static String job;

    @BeforeAll
    static void start() {
        jobpulse = JobpulseInstance.allRoles();
        job = json(jobpulse.post("/v1/jobs", "{\"type\":\"x.problems\"}")).get("id").asText();
    }

    @AfterAll
    static void stop() {
        jobpulse.close();
    }

    @ParameterizedTest(name = "{0} {1} {2} -> {3} {4}")
    @CsvSource(delimiter = '|', value = {
            "POST | /v1/jobs               | {\"type\":                          | 400 | malformed-json",
            "POST | /v1/jobs               | {}                                  | 400 | invalid-request",
            "POST | /v1/jobs               | {\"type\":\"has spaces\"}           | 400 | invalid-request",
            "POST | /v1/jobs               | {\"type\":\"x\",\"timeout\":\"PT0S\"} | 400 | invalid-request",
            "POST | /v1/jobs               | {\"type\":\"x\",\"tags\":[\"\"]}    | 400 | invalid-request",
            "POST | /v1/jobs               | [1,2]                               | 400 | malformed-json",
            "POST | /v1/jobs/{job}/reports | {\"status\":\"queued\"}             | 400 | invalid-request",
            "POST | /v1/jobs/{job}/reports | {\"status\":\"done\"}               | 400 | invalid-request",
            "POST | /v1/jobs/{job}/reports | {\"progress\":50}                   | 400 | invalid-request",
            "POST | /v1/jobs/{job}/reports | {\"progress\":\"half\"}             | 400 | malformed-json",
            "POST | /v1/jobs/%2e%2e/reports | {}                                 | 404 | not-found",
            "POST | /v1/jobs/0180a000-0000-7000-8000-000000000000/reports | {\"progress\":0.5} | 404 | not-found",
            "POST | /v1/jobs/0180a000-0000-7000-8000-000000000000/cancel  | {}                 | 404 | not-found",
            "POST | /v1/jobs/0180a000-0000-7000-8000-000000000000/retry   | {}                 | 404 | not-found",
            "GET  | /v1/nothing-here       |                                     | 404 | not-found",
            "DELETE | /v1/jobs             |                                     | 405 | method-not-allowed",
            "GET  | /v1/jobs?limit=1000    |                                     | 400 | invalid-request",
            "GET  | /v1/jobs?limit=abc     |                                     | 400 | invalid-request",
    })
    void rejectsWithProblemJson(String method, String path, String body, int status, String type) {
        HttpResponse<String> response = send(method, path, body);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        assertThat(json(response).get("type").asText()).isEqualTo("https://jobpulse.io/problems/" + type);
        assertThat(json(response).get("status").asInt()).isEqualTo(status);
        assertThat(json(response).get("detail").asText()).isNotBlank().doesNotContain("Exception", "at io.");
    }

    @ParameterizedTest(name = "{0} {1} {2} -> field {3}")
    @CsvSource(delimiter = '|', value = {
            "POST | /v1/jobs               | {\"type\":\"x\",\"timeout\":5}            | timeout  | ISO-8601 duration",
            "POST | /v1/jobs               | {\"type\":\"x\",\"bogus\":1}              | bogus    | it takes",
            "POST | /v1/jobs               | {\"type\":\"x\",\"tags\":\"one\"}         | tags     | a list",
            "POST | /v1/jobs/{job}/reports | {\"progress\":\"half\"}                   | progress | a number",
            "GET  | /v1/jobs?limit=abc     |                                           | limit    | 'abc'",
    })
    void aRequestThatCannotBeReadNamesItsFieldInTheApisWords(String method, String path, String body, String field, String says) {
        HttpResponse<String> response = send(method, path, body);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(json(response).get("field").asText()).as(response.body()).isEqualTo(field.strip());
        assertThat(json(response).get("detail").asText()).as(response.body()).contains(says.strip())
                .doesNotContain("java.", "io.jobpulse", "class ", "Failed to convert");
    }

    /** A row's request: the method and path as written (with {@code {job}} for the class's job), and the body if any. */
    private static HttpResponse<String> send(String method, String path, String body) {
        return jobpulse.send(HttpRequest.newBuilder(jobpulse.uri(path.strip().replace("{job}", job)))
                .header("Content-Type", "application/json")
                .method(method.strip(), body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.strip())));
    }
}
