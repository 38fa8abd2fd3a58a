package io.jobpulse.app;

import io.jobpulse.events.BatchState;
import io.jobpulse.events.JobJson;
import io.jobpulse.events.JobState;
import io.jobpulse.http.BatchJobs;
import io.jobpulse.http.BatchStateReader;
import io.jobpulse.http.JobStateReader;
import io.jobpulse.http.ProblemException;
import io.jobpulse.http.ProblemType;
import io.jobpulse.http.Routes;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * Current states of jobs and batches read over HTTP from a topology instance
 * ({@code jobpulse.state-url}), for processes that run without the topology role.
 */
public class RemoteJobStateReader implements JobStateReader, BatchStateReader {

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final String stateUrl;
    private final String authorization;

    /**
     * @param stateUrl base URL of a topology instance
     * @param token    the bearer token it is read with: an API key with the {@code admin} scope
     */
    public RemoteJobStateReader(String stateUrl, String token) {
        this.stateUrl = stateUrl.replaceAll("/+$", "");
        this.authorization = token == null || token.isBlank() ? null : "Bearer " + token;
    }

    @Override
    public Optional<JobState> current(String jobId) {
        return read(Routes.JOBS + "/" + encode(jobId), JobState.class);
    }

    @Override
    public Optional<BatchState> batch(String batchId) {
        return read(Routes.BATCHES + "/" + encode(batchId), BatchState.class);
    }

    @Override
    public BatchJobs jobs(String batchId) {
        return read(Routes.BATCHES + Routes.BATCH_MEMBERS.replace("{id}", encode(batchId)), BatchJobs.class)
                .orElseThrow(() -> unavailable("the state service does not know batch " + batchId));
    }

    private static String encode(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8);
    }

    private <T> Optional<T> read(String path, Class<T> type) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stateUrl + path)).timeout(Duration.ofSeconds(10)).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return switch (response.statusCode()) {
                case 200 -> Optional.of(JobJson.read(response.body(), type));
                case 404 -> Optional.empty();
                default -> throw unavailable("the state service answered " + response.statusCode());
            };
        } catch (IOException e) {
            throw unavailable("the state service is unreachable");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("interrupted");
        }
    }

    private static ProblemException unavailable(String why) {
        return new ProblemException(ProblemType.UNAVAILABLE, "The current state cannot be read: " + why + ". Retry shortly.");
    }
}
