package io.jobpulse.app.health;

import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A health check that answers within {@code jobpulse.health.timeout} whatever hangs behind it. The check itself runs on a
 * thread of its own, at most one at a time per indicator: a dependency that hangs holds that one thread, never the
 * event loop or a pool other requests need, and a probe that arrives while it hangs is answered DOWN with "no answer
 * within ..." (and for how long the check has been waiting) instead of starting another. A finished result is given again
 * for {@code jobpulse.health.cache-for}.
 */
public abstract class DeadlineIndicator implements HealthIndicator {

    private final String name;
    private final HealthConfiguration config;
    private CompletableFuture<HealthResult> running;
    private long runningSince;
    private HealthResult last;
    private long lastAt;

    protected DeadlineIndicator(String name, HealthConfiguration config) {
        this.name = name;
        this.config = config;
    }

    /** The check, on its own thread; it may block. An exception is reported DOWN with its message. */
    protected abstract HealthResult check() throws Exception;

    @Override
    public final Publisher<HealthResult> getResult() {
        return Mono.fromFuture(this::answer);
    }

    /** Starts a check now, without waiting for it. */
    final void warmUp() {
        answer();
    }

    private synchronized CompletableFuture<HealthResult> answer() {
        long now = System.nanoTime();
        if (last != null && now - lastAt < config.cacheFor().toNanos()) {
            return CompletableFuture.completedFuture(last);
        }
        CompletableFuture<HealthResult> current = running;
        if (current == null) {
            current = new CompletableFuture<>();
            running = current;
            runningSince = now;
            current.thenAccept(this::finished);
            CompletableFuture<HealthResult> started = current;
            Thread.ofPlatform().daemon().name("health-" + name).start(() -> started.complete(guarded()));
        }
        long since = runningSince;
        return current.copy().orTimeout(config.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .exceptionally(timeout -> noAnswer(System.nanoTime() - since));
    }

    private synchronized void finished(HealthResult result) {
        last = result;
        lastAt = System.nanoTime();
        running = null;
    }

    private HealthResult guarded() {
        try {
            return check();
        } catch (Exception | LinkageError e) {
            return down(Map.of("error", reason(e)));
        }
    }

    private HealthResult noAnswer(long waitedNanos) {
        return down(Map.of("error", "no answer within " + config.timeout().toMillis() + " ms",
                "waitingFor", Duration.ofNanos(waitedNanos).toMillis() + " ms"));
    }

    protected HealthResult up(Map<String, ?> details) {
        return HealthResult.builder(name, HealthStatus.UP).details(details).build();
    }

    protected HealthResult down(Map<String, ?> details) {
        return HealthResult.builder(name, HealthStatus.DOWN).details(details).build();
    }

    /** An exception told in one line, as its first line says it (drivers and clients name no secret there). */
    static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = String.valueOf(root.getMessage()).lines().findFirst().orElse("");
        String line = root.getClass().getSimpleName() + (message.isBlank() || message.equals("null") ? "" : ": " + message);
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }
}
