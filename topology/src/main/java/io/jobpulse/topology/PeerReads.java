package io.jobpulse.topology;

import io.jobpulse.events.JobJson;
import io.jobpulse.events.JobState;
import io.jobpulse.http.PeerCredential;
import io.jobpulse.http.ProblemException;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

/**
 * Reads of jobs (and batches, by {@link StoreView}) whose partition another topology instance holds: asked of the active instance
 * first, then of each standby, with a {@link PeerCredential} for that one job. An instance that
 * refuses the connection, times out or answers 503 (it is restoring, or no longer holds the
 * partition) is passed over for the next; a standby copy on this instance is read directly. When
 * none answers, where the job is is asked again of Streams' metadata (a rebalance may be moving
 * it) every {@link #RETRY_PAUSE}, up to {@code read-your-writes-wait}; only then is the read 503.
 * So a killed instance costs its partitions' reads little while a standby holds them, and a read
 * is never answered 404 because its instance is gone: only an active copy answers 404.
 */
@Singleton
@Requires(beans = InteractiveQueries.class)
public class PeerReads {

    private static final Logger LOG = LoggerFactory.getLogger(PeerReads.class);
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
    static final Duration READ_TIMEOUT = Duration.ofSeconds(10);
    /** The pause before asking again where a job is, when none of its holders answered. */
    static final Duration RETRY_PAUSE = Duration.ofMillis(100);

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
    private final InteractiveQueries queries;
    private final PeerCredential credential;

    /** @param signingKey {@code jobpulse.security.signing-key}: the same on every instance, so that peers accept each other's reads */
    public PeerReads(InteractiveQueries queries, @Nullable @Property(name = "jobpulse.security.signing-key") String signingKey) {
        this.queries = queries;
        this.credential = signingKey == null || signingKey.isBlank() ? null : new PeerCredential(signingKey);
    }

    /**
     * The job's state from this instance, which holds its active copy; while that copy cannot be
     * read yet (the task is being moved here and restores), from the standbys, if there are any.
     */
    public Optional<JobState> readHere(InteractiveQueries.Placement placement, String jobId) {
        return readHere(StoreView.JOBS, placement, jobId);
    }

    /** {@link #readHere(InteractiveQueries.Placement, String)} for any view. */
    public <V> Optional<V> readHere(StoreView<V> view, InteractiveQueries.Placement placement, String id) {
        try {
            return queries.findNow(view, id);
        } catch (InteractiveQueries.Unfolded notYetFolded) {
            throw notYetFolded;
        } catch (ProblemException notServed) {
            return placement.standbys().hosts().isEmpty() ? queries.find(view, id) : read(view, placement.standbys(), id);
        }
    }

    /** The job's state wherever it is held: here, or at the instances that hold it. */
    public Optional<JobState> current(String jobId) {
        return current(StoreView.JOBS, jobId);
    }

    /** The view's value for the id wherever it is held: here, or at the instances that hold it. */
    public <V> Optional<V> current(StoreView<V> view, String id) {
        InteractiveQueries.Placement placement = queries.locate(view, id);
        return placement.here() ? readHere(view, placement, id) : read(view, placement, id);
    }

    /** The job's state from the instances that hold it, as it is now. */
    public Optional<JobState> read(InteractiveQueries.Placement placement, String jobId) {
        return read(StoreView.JOBS, placement, jobId);
    }

    /** The view's value from the instances that hold it, as it is now. */
    public <V> Optional<V> read(StoreView<V> view, InteractiveQueries.Placement placement, String id) {
        return read(view, placement, id, null, null);
    }

    /**
     * The job's state from the instances that hold it; with {@code after}, once its version exceeds
     * it or when {@code wait} has passed (the holder waits, holding no thread there).
     */
    public Optional<JobState> read(InteractiveQueries.Placement placement, String jobId, @Nullable Long after, @Nullable Duration wait) {
        return read(StoreView.JOBS, placement, jobId, after, wait);
    }

    private <V> Optional<V> read(StoreView<V> view, InteractiveQueries.Placement placement, String id, @Nullable Long after, @Nullable Duration wait) {
        Instant deadline = Instant.now().plus(queries.servingWait());
        InteractiveQueries.Placement current = placement;
        while (true) {
            try {
                return readOnce(view, current, id, after, wait);
            } catch (ProblemException e) {
                if (Instant.now().plus(RETRY_PAUSE).isAfter(deadline)) {
                    throw e;
                }
            }
            // A rebalance may be moving the partition: ask again where it is, shortly.
            LockSupport.parkNanos(RETRY_PAUSE.toNanos());
            current = queries.locate(view, id);
            if (current.here()) {
                if (after == null) {
                    return queries.find(view, id);
                }
                throw InteractiveQueries.unavailable("the " + view.noun() + "'s partition has just moved to this instance");
            }
        }
    }

    /** One round: the active holder, then each standby, the first that answers. */
    private <V> Optional<V> readOnce(StoreView<V> view, InteractiveQueries.Placement placement, String id, Long after, Duration wait) {
        String failures = "";
        for (HostInfo host : placement.hosts()) {
            try {
                if (host.equals(placement.self())) {
                    if (after == null) {
                        return Optional.of(queries.findInCopy(view, id));
                    }
                    continue;
                }
                return ask(view, host, id, after, wait);
            } catch (ProblemException | IOException e) {
                failures += (failures.isEmpty() ? "" : "; ") + host.host() + ":" + host.port() + " " + e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw InteractiveQueries.unavailable("interrupted");
            }
        }
        LOG.debug("no instance holding {} {} answered: {}", view.noun(), id, failures);
        throw InteractiveQueries.unavailable("no instance that holds it answers (" + failures + ")");
    }

    private <V> Optional<V> ask(StoreView<V> view, HostInfo host, String id, Long after, Duration wait) throws IOException, InterruptedException {
        if (credential == null) {
            throw InteractiveQueries.unavailable("this instance has no jobpulse.security.signing-key (JOBPULSE_SIGNING_KEY) to read at other instances with");
        }
        String query = after == null ? "" : "?waitForVersionAfter=" + after + "&timeout=" + wait.toMillis() / 1000.0 + "s";
        URI uri = URI.create("http://" + host.host() + ":" + host.port() + view.path().apply(id) + query);
        HttpRequest request = HttpRequest.newBuilder(uri).GET()
                .timeout(after == null ? READ_TIMEOUT : wait.plus(READ_TIMEOUT))
                .header("Authorization", "Bearer " + credential.mint(id, Instant.now()))
                .build();
        HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        return switch (response.statusCode()) {
            case 200 -> Optional.of(JobJson.read(response.body(), view.type()));
            case 404 -> Optional.empty();
            default -> throw InteractiveQueries.unavailable("answered " + response.statusCode());
        };
    }
}
