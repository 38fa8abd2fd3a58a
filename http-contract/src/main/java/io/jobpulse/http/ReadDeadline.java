package io.jobpulse.http;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Answers a read that depends on PostgreSQL within {@code jobpulse.projections.query-timeout}, whatever the database
 * does: the read runs on a thread of its own, and when it has not finished in time the request is answered 503
 * ({@code unavailable}, with {@code Retry-After}) while the read goes on to its end unseen. A JDBC query timeout
 * would not do: cancelling a query needs the server to answer, and a frozen server (its connection open, nothing
 * coming back) answers nothing. At most {@value #IN_FLIGHT} reads run at once; one more waits for a place within the
 * same deadline, so a hung database holds a bounded number of threads however many requests arrive.
 */
public final class ReadDeadline {

    /** The setting, in {@code application.yml} and {@code docs/configuration.md}. */
    public static final String PROPERTY = "jobpulse.projections.query-timeout";
    public static final String DEFAULT = "5s";
    static final int IN_FLIGHT = 32;

    private static final ExecutorService READS = Executors.newCachedThreadPool(Thread.ofPlatform().daemon().name("read-", 0).factory());

    private final Duration timeout;
    private final Semaphore places = new Semaphore(IN_FLIGHT);

    public ReadDeadline(Duration timeout) {
        this.timeout = timeout;
    }

    /**
     * The read's result, or its own exception (a {@link ProblemException} as thrown); a 503 problem naming
     * {@code what} once the deadline has passed.
     */
    public <T> T read(String what, Callable<T> read) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            if (!places.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw unavailable(what);
            }
            CompletableFuture<T> result = new CompletableFuture<>();
            READS.execute(() -> {
                try {
                    result.complete(read.call());
                } catch (Throwable e) {
                    result.completeExceptionally(e);
                } finally {
                    places.release();
                }
            });
            return result.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw unavailable(what);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(what);
        }
    }

    private ProblemException unavailable(String what) {
        return new ProblemException(ProblemType.UNAVAILABLE, what + " did not answer within " + timeout.toMillis()
                + " ms: its database is slow or unreachable. Retry shortly.");
    }
}
