package io.jobpulse.app.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.events.JobJson;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps a stream of demo jobs going, so that a newcomer sees jobs move with no account anywhere:
 * every {@code jobpulse.demo.interval} it asks the {@link PretendProvider} for a prediction over
 * HTTP, as an app would ask Replicate, with Jobpulse's {@code /v1/webhooks/demo} as the one
 * webhook for all predictions; then it submits a {@code demo.image} job (tag {@code demo}) that
 * names the prediction and asks to poll its status URL, as the user {@code alice} (whose token
 * {@code dev} prints). The callbacks reach the job by its request id; the polling covers the
 * callbacks the provider drops.
 */
@Singleton
@Requires(property = "jobpulse.demo.enabled", value = "true")
public class DemoDriver implements ApplicationEventListener<ServerStartupEvent> {

    private static final Logger LOG = LoggerFactory.getLogger(DemoDriver.class);
    private static final List<String> PROMPTS = List.of("a lighthouse at dusk", "a fox in the snow", "a tram in Lisbon",
            "a teapot on the moon", "a red kite over hills");

    private final PretendProvider provider;
    private final Duration interval;
    private final int maxJobs;
    private final DemoUser user;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ScheduledExecutorService submitter = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("jobpulse-demo-driver").daemon().factory());
    private final AtomicInteger submitted = new AtomicInteger();

    public DemoDriver(PretendProvider provider, @Property(name = "jobpulse.demo.interval", defaultValue = "3s") Duration interval,
                      @Property(name = "jobpulse.demo.max-jobs", defaultValue = "1000") int maxJobs,
                      DemoUser user) {
        this.provider = provider;
        this.interval = interval;
        this.maxJobs = maxJobs;
        this.user = user;
    }

    @Override
    public void onApplicationEvent(ServerStartupEvent event) {
        URI base = event.getSource().getURI();
        submitter.scheduleWithFixedDelay(() -> submit(base), 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("demo: a new demo.image job every {} ms; watch them with curl -N {}", interval.toMillis(), base.resolve("/v1/stream?tag=demo"));
    }

    private void submit(URI base) {
        if (submitted.get() >= maxJobs) {
            return;
        }
        String prompt = PROMPTS.get(submitted.getAndIncrement() % PROMPTS.size());
        try {
            HttpResponse<String> created = post(URI.create(provider.baseUrl() + "/v1/predictions"),
                    "{\"input\":{\"prompt\":\"%s\"},\"webhook\":\"%s\"}".formatted(prompt, base.resolve("/v1/webhooks/demo")));
            JsonNode prediction = JobJson.read(created.body().getBytes(StandardCharsets.UTF_8), JsonNode.class);
            String body = """
                    {"type":"demo.image","tags":["demo"],"input":{"prompt":"%s"},"timeout":"PT1M",
                     "provider":{"name":"demo","requestId":"%s"},
                     "poll":{"statusUrl":"%s","provider":"demo","interval":"PT2S"}}""".formatted(prompt,
                    prediction.get("id").asText(), prediction.at("/urls/get").asText());
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(base.resolve("/v1/jobs")).header("Content-Type", "application/json")
                    .header("Authorization", user.authorization()).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 202) {
                LOG.warn("demo: submission answered {}: {}", answer.statusCode(), answer.body());
            }
        } catch (IOException e) {
            LOG.warn("demo: submission failed: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private HttpResponse<String> post(URI uri, String json) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    int submitted() {
        return submitted.get();
    }

    @PreDestroy
    void stop() {
        submitter.shutdownNow();
    }
}
