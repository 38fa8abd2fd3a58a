package io.jobpulse.app;

import io.jobpulse.events.JobJson;
import io.jobpulse.events.JobState;
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
 * Current states read over HTTP from a topology instance ({@code jobpulse.state-url}), for
 * processes that run without the topology role.
 */
public class RemoteJobStateReader implements JobStateReader {

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
        URI uri = URI.create(stateUrl + Routes.JOBS + "/" + URLEncoder.encode(jobId, StandardCharsets.UTF_8));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
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
