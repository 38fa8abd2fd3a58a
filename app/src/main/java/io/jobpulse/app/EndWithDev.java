package io.jobpulse.app;

import java.io.IOException;
import java.time.Duration;

/**
 * An instance that {@code ./jobpulse dev --instances N} started ends with that dev, however dev ends:
 * dev holds the other end of the instance's standard input and never writes to it, so the end of
 * that input means dev is gone, even killed with SIGKILL, which gives it no time to stop its
 * instances. The instance then exits as if stopped (its shutdown hooks run), and halts if that takes
 * longer than {@link #GRACE}: dev's broker was in dev's JVM, and a stop that waits on it could take
 * long. Nothing else sets {@link #PROPERTY}; a process started by anything else keeps its input to
 * itself.
 */
final class EndWithDev {

    /** A system property, read before the application starts, so that even an instance still starting ends with dev. */
    static final String PROPERTY = "jobpulse.dev.exit-when-input-ends";
    static final Duration GRACE = Duration.ofSeconds(5);

    private EndWithDev() {
    }

    /** Watches standard input when this process is one of dev's instances. */
    static void watchIfAsked() {
        if (Boolean.getBoolean(PROPERTY)) {
            Thread.ofPlatform().name("jobpulse-end-with-dev").daemon().start(EndWithDev::exitWhenInputEnds);
        }
    }

    private static void exitWhenInputEnds() {
        try {
            while (System.in.read() >= 0) {
                // dev writes nothing; whatever comes is ignored
            }
        } catch (IOException ended) {
            // an input that fails has ended too
        }
        System.err.println("jobpulse: dev has ended (the end of standard input); stopping");
        Thread exit = Thread.ofPlatform().name("jobpulse-exit").daemon().start(() -> System.exit(0));
        try {
            exit.join(GRACE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Runtime.getRuntime().halt(0);
    }
}
