package io.jobpulse.push;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;

/**
 * One socket's messages, handled one at a time in the order they came, on a shared executor: a
 * message is taken only once the one before it is done, so its answer, and what it changed, come
 * after those of the message before. A slow message holds up its own socket only; the socket
 * bounds how many may wait ({@link #waiting}).
 */
final class Inbox {

    private static final Logger LOG = LoggerFactory.getLogger(Inbox.class);

    private final Executor executor;
    private final Queue<Runnable> waiting = new ArrayDeque<>();
    private boolean running;

    Inbox(Executor executor) {
        this.executor = executor;
    }

    /** Queues the handling of a message, after every one queued before it. */
    synchronized void add(Runnable handling) {
        waiting.add(handling);
        if (!running) {
            running = true;
            executor.execute(this::drain);
        }
    }

    /** How many messages wait, the one being handled included. */
    synchronized int waiting() {
        return waiting.size() + (running ? 1 : 0);
    }

    private void drain() {
        while (true) {
            Runnable next;
            synchronized (this) {
                next = waiting.poll();
                if (next == null) {
                    running = false;
                    return;
                }
            }
            try {
                next.run();
            } catch (RuntimeException e) {
                // The handling answers its own failures; this only keeps the messages after it going.
                LOG.error("a socket message's handling failed", e);
            }
        }
    }
}
