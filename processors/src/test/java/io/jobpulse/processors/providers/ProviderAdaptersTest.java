package io.jobpulse.processors.providers;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.events.JobJson;
import io.jobpulse.events.JobStatus;
import io.jobpulse.events.ProviderObservation;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each adapter over payloads shaped like the provider's documented responses and webhooks:
 * the canonical status, the raw status kept, the request id, progress, and what lands in result,
 * message and error.
 */
class ProviderAdaptersTest {

    private static final ProviderAdapter REPLICATE = new ReplicateAdapter();
    private static final ProviderAdapter FAL = new FalAdapter();
    private static final ProviderAdapter BRIA = new BriaAdapter();
    private static final ProviderAdapter OPENAI = new OpenAiBatchAdapter();
    private static final ProviderAdapter MAPPED = new MappedAdapter("acme", "/job/state",
            Map.of("waiting", JobStatus.QUEUED, "working", JobStatus.RUNNING, "done", JobStatus.SUCCEEDED, "broken", JobStatus.FAILED),
            "/job/id", "/job/percent", "/job/note", "/job/output", "/job/problem");

    /** A row: adapter, payload, then expected status, raw status, request id, progress, and a check of the rest. */
    static Stream<Arguments> rows() {
        return Stream.of(
                row(REPLICATE, """
                        {"id":"ufawqhfynnddngldkgtslldrkq","model":"black-forest-labs/flux-schnell","version":"5599ed30",
                         "input":{"prompt":"a lighthouse"},"logs":"","output":null,"error":null,"status":"starting",
                         "created_at":"2026-11-22T21:09:32.173Z","urls":{"get":"https://api.replicate.com/v1/predictions/ufawqhfynnddngldkgtslldrkq"}}""",
                        JobStatus.QUEUED, "starting", "ufawqhfynnddngldkgtslldrkq", null, o -> {
                            assertThat(o.result()).isNull();
                            assertThat(o.statusUrl()).isEqualTo("https://api.replicate.com/v1/predictions/ufawqhfynnddngldkgtslldrkq");
                            assertThat(o.metrics()).isNull();
                        }),
                row(REPLICATE, """
                        {"id":"ufawqhfynnddngldkgtslldrkq","status":"processing",
                         "logs":"Using seed: 1234\\n 20%|██        | 1/5 [00:01<00:04]\\n 60%|██████    | 3/5 [00:02<00:01]","output":null}""",
                        JobStatus.RUNNING, "processing", "ufawqhfynnddngldkgtslldrkq", 0.6,
                        o -> assertThat(o.message()).startsWith("60%")),
                row(REPLICATE, """
                        {"id":"ufawqhfynnddngldkgtslldrkq","status":"succeeded","output":["https://replicate.delivery/xezq/out-0.webp"],
                         "error":null,"logs":"100%|██████████| 5/5","metrics":{"predict_time":1.91}}""",
                        JobStatus.SUCCEEDED, "succeeded", "ufawqhfynnddngldkgtslldrkq", 1.0,
                        o -> {
                            assertThat(o.result().get(0).asText()).endsWith("out-0.webp");
                            assertThat(o.metrics().get("predict_time").asDouble()).isEqualTo(1.91);
                        }),
                row(REPLICATE, """
                        {"id":"p2","status":"failed","error":"CUDA out of memory. Tried to allocate 2.00 GiB","logs":"Traceback ..."}""",
                        JobStatus.FAILED, "failed", "p2", null,
                        o -> assertThat(o.error().message()).startsWith("CUDA out of memory")),
                row(REPLICATE, """
                        {"id":"p3","status":"canceled","output":null}""", JobStatus.CANCELED, "canceled", "p3", null, o -> { }),
                row(REPLICATE, """
                        {"id":"p4","status":"aborted"}""", JobStatus.CANCELED, "aborted", "p4", null, o -> { }),
                row(FAL, """
                        {"status":"IN_QUEUE","request_id":"764cabcf-b745-4b3e-ae38-1200304cf45b","queue_position":3,
                         "response_url":"https://queue.fal.run/fal-ai/flux/requests/764cabcf-b745-4b3e-ae38-1200304cf45b"}""",
                        JobStatus.QUEUED, "IN_QUEUE", "764cabcf-b745-4b3e-ae38-1200304cf45b", null,
                        o -> assertThat(o.message()).isEqualTo("queue position 3")),
                row(FAL, """
                        {"status":"IN_PROGRESS","request_id":"764c","logs":[{"message":"loading model","level":"INFO"},
                         {"message":"step 12/28","level":"INFO","timestamp":"2026-11-22T21:09:35Z"}]}""",
                        JobStatus.RUNNING, "IN_PROGRESS", "764c", null, o -> assertThat(o.message()).isEqualTo("step 12/28")),
                row(FAL, """
                        {"status":"COMPLETED","request_id":"764c","response_url":"https://queue.fal.run/fal-ai/flux/requests/764c"}""",
                        JobStatus.SUCCEEDED, "COMPLETED", "764c", 1.0, o -> assertThat(o.result()).isNull()),
                row(FAL, """
                        {"request_id":"123e4567-e89b-12d3-a456-426614174000","gateway_request_id":"123e4567-e89b-12d3-a456-426614174000",
                         "status":"OK","payload":{"images":[{"url":"https://v3.fal.media/files/out.png","content_type":"image/png"}],"seed":196619188014358660}}""",
                        JobStatus.SUCCEEDED, "OK", "123e4567-e89b-12d3-a456-426614174000", 1.0,
                        o -> assertThat(o.result().at("/images/0/url").asText()).endsWith("out.png")),
                row(FAL, """
                        {"request_id":"123e","gateway_request_id":"123e","status":"ERROR","error":"Invalid status code: 422",
                         "payload":{"detail":[{"loc":["body","prompt"],"msg":"field required","type":"value_error.missing"}]}}""",
                        JobStatus.FAILED, "ERROR", "123e", null,
                        o -> assertThat(o.error().message()).isEqualTo("Invalid status code: 422: field required")),
                row(BRIA, """
                        {"status":"IN_PROGRESS","request_id":"b1"}""", JobStatus.RUNNING, "IN_PROGRESS", "b1", null, o -> { }),
                row(BRIA, """
                        {"status":"COMPLETED","request_id":"b1","result":{"image_url":"https://bria-output.s3.amazonaws.com/b1.png",
                         "structured_prompt":"{\\"subject\\":\\"lighthouse\\"}","seed":1123}}""",
                        JobStatus.SUCCEEDED, "COMPLETED", "b1", 1.0,
                        o -> assertThat(o.result().get("seed").asInt()).isEqualTo(1123)),
                row(BRIA, """
                        {"status":"COMPLETED","request_id":"v1","result":{"video_url":"https://bria-output.s3.amazonaws.com/v1.mp4"}}""",
                        JobStatus.SUCCEEDED, "COMPLETED", "v1", 1.0,
                        o -> assertThat(o.result().get("video_url").asText()).endsWith(".mp4")),
                row(BRIA, """
                        {"status":"ERROR","request_id":"b2","error":{"code":422,"message":"Content moderation failed"}}""",
                        JobStatus.FAILED, "ERROR", "b2", null, o -> {
                            assertThat(o.error().code()).isEqualTo("bria-422");
                            assertThat(o.error().message()).isEqualTo("Content moderation failed");
                        }),
                row(BRIA, """
                        {"status":"UNKNOWN","request_id":"b3"}""", null, "UNKNOWN", "b3", null, o -> { }),
                row(OPENAI, """
                        {"id":"batch_abc123","object":"batch","endpoint":"/v1/chat/completions","status":"validating",
                         "request_counts":{"total":0,"completed":0,"failed":0}}""",
                        JobStatus.QUEUED, "validating", "batch_abc123", null, o -> { }),
                row(OPENAI, """
                        {"id":"batch_abc123","object":"batch","status":"in_progress","request_counts":{"total":100,"completed":40,"failed":2}}""",
                        JobStatus.RUNNING, "in_progress", "batch_abc123", 0.42, o -> { }),
                row(OPENAI, """
                        {"id":"batch_abc123","object":"batch","status":"finalizing","request_counts":{"total":100,"completed":98,"failed":2}}""",
                        JobStatus.RUNNING, "finalizing", "batch_abc123", 1.0, o -> { }),
                row(OPENAI, """
                        {"id":"batch_abc123","object":"batch","status":"completed","output_file_id":"file-cvaTdG","error_file_id":"file-HOWS94",
                         "request_counts":{"total":100,"completed":95,"failed":5}}""",
                        JobStatus.SUCCEEDED, "completed", "batch_abc123", 1.0,
                        o -> assertThat(o.result().get("output_file_id").asText()).isEqualTo("file-cvaTdG")),
                row(OPENAI, """
                        {"id":"batch_x","object":"batch","status":"failed","errors":{"object":"list",
                         "data":[{"code":"invalid_json_line","message":"This line is not parseable as valid JSON.","line":3}]}}""",
                        JobStatus.FAILED, "failed", "batch_x", null,
                        o -> assertThat(o.error().code()).isEqualTo("invalid_json_line")),
                row(OPENAI, """
                        {"id":"batch_y","object":"batch","status":"expired","request_counts":{"total":10,"completed":4,"failed":0}}""",
                        JobStatus.EXPIRED, "expired", "batch_y", 0.4, o -> assertThat(o.error().retryable()).isTrue()),
                row(OPENAI, """
                        {"id":"batch_z","object":"batch","status":"cancelling"}""", JobStatus.RUNNING, "cancelling", "batch_z", null, o -> { }),
                row(OPENAI, """
                        {"id":"batch_z","object":"batch","status":"cancelled"}""", JobStatus.CANCELED, "cancelled", "batch_z", null, o -> { }),
                row(OPENAI, """
                        {"id":"evt_685343a1381c819085d44c354e1b330e","object":"event","created_at":1750287018,"type":"batch.completed",
                         "data":{"id":"batch_abc123"}}""",
                        null, null, "batch_abc123", null, o -> assertThat(o.result()).isNull()),
                row(MAPPED, """
                        {"job":{"id":"j-9","state":"working","percent":35,"note":"rendering frame 35"}}""",
                        JobStatus.RUNNING, "working", "j-9", 0.35, o -> assertThat(o.message()).isEqualTo("rendering frame 35")),
                row(MAPPED, """
                        {"job":{"id":"j-9","state":"done","percent":100,"output":{"url":"https://acme.example/out.mp4"}}}""",
                        JobStatus.SUCCEEDED, "done", "j-9", 1.0, o -> assertThat(o.result().get("url").asText()).endsWith("out.mp4")),
                row(MAPPED, """
                        {"job":{"id":"j-9","state":"broken","problem":"disk full"}}""",
                        JobStatus.FAILED, "broken", "j-9", null, o -> assertThat(o.error().message()).isEqualTo("disk full")),
                row(MAPPED, """
                        {"job":{"id":"j-9","state":"paused"}}""", null, "paused", "j-9", null, o -> { }));
    }

    private static Arguments row(ProviderAdapter adapter, String payload, JobStatus status, String raw, String requestId,
                                 Double progress, Consumer<ProviderObservation> rest) {
        return Arguments.of(adapter.name(), adapter, payload, status, raw, requestId, progress, rest);
    }

    @ParameterizedTest(name = "{0} {4}")
    @MethodSource("rows")
    void readsTheProvidersPayload(String provider, ProviderAdapter adapter, String payload, JobStatus status, String raw,
                                  String requestId, Double progress, Consumer<ProviderObservation> rest) {
        JsonNode body = JobJson.read(payload.getBytes(StandardCharsets.UTF_8), JsonNode.class);

        ProviderObservation observation = adapter.observe(body);

        assertThat(observation.status()).isEqualTo(status);
        assertThat(observation.rawStatus()).isEqualTo(raw);
        assertThat(observation.requestId()).isEqualTo(requestId);
        assertThat(observation.progress()).isEqualTo(progress);
        if (status != JobStatus.FAILED && status != JobStatus.EXPIRED) {
            assertThat(observation.error()).isNull();
        }
        rest.accept(observation);
    }
}
