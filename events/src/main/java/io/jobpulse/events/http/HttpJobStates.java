package io.jobpulse.events.http;

import io.jobpulse.events.JobJson;
import io.jobpulse.events.JobState;
import io.jobpulse.events.JobStates;

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
 * Current states read over HTTP from a topology instance ({@code jobpulse.state-url}), for
 * processes that run without the topology role.
 */
public class HttpJobStates implements JobStates {

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final String stateUrl;

    public HttpJobStates(String stateUrl) {
        this.stateUrl = stateUrl.replaceAll("/+$", "");
    }

    @Override
    public Optional<JobState> current(String jobId) {
        URI uri = URI.create(stateUrl + "/v1/jobs/" + URLEncoder.encode(jobId, StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build();
        try {
            HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            return switch (response.statusCode()) {
                case 200 -> Optional.of(JobJson.read(response.body(), JobState.class));
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
        return new ProblemException(ProblemType.UNAVAILABLE, "The job's current state cannot be read: " + why + ". Retry shortly.");
    }
}
