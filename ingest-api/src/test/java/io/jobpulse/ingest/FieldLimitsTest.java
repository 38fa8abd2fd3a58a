package io.jobpulse.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.jobpulse.events.JobError;
import io.jobpulse.events.JobLimits;
import io.jobpulse.http.Problem;
import io.jobpulse.http.ProblemException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Every field that grows a job's state is bounded at intake, and a refusal names the field and its limit. */
class FieldLimitsTest {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private final FieldLimits limits = new FieldLimits(JobLimits.DEFAULTS);

    private static SubmitJobRequest submission(JsonNode input, Map<String, JsonNode> metadata, List<String> tags) {
        return new SubmitJobRequest("image.generate", input, metadata, tags, null, null, null, null, null);
    }

    private static ReportRequest report(String message, Map<String, JsonNode> metadata, JsonNode result, JobError error) {
        return new ReportRequest(null, null, message, metadata, result, error);
    }

    private static Problem refusal(ThrowingCallable call, int status, String field, int limit) {
        ProblemException thrown = catchThrowableOfType(ProblemException.class, call);
        assertThat(thrown).as("refused").isNotNull();
        Problem problem = thrown.problem();
        assertThat(problem.status()).isEqualTo(status);
        assertThat(problem.type()).endsWith(status == 413 ? "/payload-too-large" : "/invalid-request");
        assertThat(problem.extras()).containsEntry("field", field).containsEntry("limit", limit);
        assertThat(problem.detail()).contains(field, String.valueOf(limit));
        return problem;
    }

    private static Map<String, JsonNode> keys(int count, int valueLength) {
        Map<String, JsonNode> metadata = new HashMap<>();
        for (int i = 0; i < count; i++) {
            metadata.put("k" + i, JSON.textNode("v".repeat(valueLength)));
        }
        return metadata;
    }

    @Test
    void acceptsFieldsWithinTheirLimits() {
        assertThatCode(() -> limits.checkSubmission("", submission(JSON.objectNode().put("p", "x".repeat(100_000)), keys(100, 500),
                List.of("a", "b")))).doesNotThrowAnyException();
        assertThatCode(() -> limits.checkReport(report("m".repeat(4_000), keys(10, 10), JSON.textNode("r".repeat(100_000)),
                new JobError("c".repeat(100), "e".repeat(4_000), false)))).doesNotThrowAnyException();
    }

    @Test
    void refusesAnInputLargerThanItsLimitWith413() {
        Problem problem = refusal(() -> limits.checkSubmission("", submission(JSON.textNode("x".repeat(128 * 1024)), null, null)),
                413, "input", 128 * 1024);
        assertThat(problem.detail()).contains("jobpulse.job-limits.max-input-bytes");
    }

    @Test
    void refusesMetadataTooLargeWith413AndWithTooManyOrTooLongKeysWith400() {
        refusal(() -> limits.checkSubmission("", submission(null, keys(10, 7_000), null)), 413, "metadata", 64 * 1024);
        refusal(() -> limits.checkSubmission("", submission(null, keys(101, 1), null)), 400, "metadata", 100);
        refusal(() -> limits.checkSubmission("", submission(null, Map.of("k".repeat(129), JSON.textNode("v")), null)), 400, "metadata", 128);
        refusal(() -> limits.checkReport(report(null, keys(10, 7_000), null, null)), 413, "metadata", 64 * 1024);
        refusal(() -> limits.checkReport(report(null, keys(101, 1), null, null)), 400, "metadata", 100);
    }

    @Test
    void refusesTooManyOrTooLongTagsWith400() {
        refusal(() -> limits.checkSubmission("", submission(null, null, java.util.Collections.nCopies(21, "t"))), 400, "tags", 20);
        refusal(() -> limits.checkSubmission("", submission(null, null, List.of("t".repeat(65)))), 400, "tags", 64);
    }

    @Test
    void refusesAResultLargerThanItsLimitWith413() {
        refusal(() -> limits.checkReport(report(null, null, JSON.textNode("r".repeat(128 * 1024)), null)), 413, "result", 128 * 1024);
    }

    @Test
    void refusesLongMessagesReasonsErrorFieldsAndStatusUrlsWith400() {
        refusal(() -> limits.checkReport(report("m".repeat(4_001), null, null, null)), 400, "message", 4_000);
        refusal(() -> limits.checkReport(report(null, null, null, new JobError("c".repeat(101), "e", false))), 400, "error.code", 100);
        refusal(() -> limits.checkReport(report(null, null, null, new JobError("c", "e".repeat(4_001), false))), 400, "error.message", 4_000);
        refusal(() -> limits.checkReason("r".repeat(4_001)), 400, "reason", 4_000);
        refusal(() -> limits.checkStatusUrl("poll.statusUrl", "https://x.example/" + "p".repeat(2_000)), 400, "poll.statusUrl", 2_000);
    }

    @Test
    void limitsAreConfigurable() {
        FieldLimits tight = new FieldLimits(new JobLimits(10, 10, 1, 2, 10, 5, 3, 5, 1, 3, 20, 100, 1_000, 10_000));
        refusal(() -> tight.checkSubmission("", submission(JSON.textNode("abcdefghijk"), null, null)), 413, "input", 10);
        refusal(() -> tight.checkSubmission("", submission(null, null, List.of("a", "b"))), 400, "tags", 1);
        refusal(() -> tight.checkReport(report("abcdef", null, null, null)), 400, "message", 5);
    }
}
