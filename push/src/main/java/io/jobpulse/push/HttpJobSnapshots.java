package io.jobpulse.push;

import io.jobpulse.events.JobJson;
import io.jobpulse.events.JobState;
import io.jobpulse.events.Roles;
import io.jobpulse.events.http.ProblemException;
import io.jobpulse.events.http.ProblemType;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

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
 * Current states read over HTTP from a topology instance ({@code jobpulse.push.state-url}), for
 * push instances that run without the topology role. A process that has the topology role
 * replaces this with a direct read of its state store.
 */
@Singleton
@Requires(property = Roles.PROPERTY, pattern = Roles.PUSH)
public class HttpJobSnapshots implements JobSnapshots {

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final String stateUrl;

    public HttpJobSnapshots(PushConfiguration config) {
        this.stateUrl = config.stateUrl().replaceAll("/+$", "");
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
