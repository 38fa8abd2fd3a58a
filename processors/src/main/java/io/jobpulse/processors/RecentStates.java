package io.jobpulse.processors;

import io.jobpulse.events.JobState;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The states of the jobs a task folded last, decoded, in front of its {@code job-state} store: a job
 * gets several events in a short time (a submission, reports, its end), and decoding its state's
 * JSON from the store for each was a fifth of the fold's work. Written through: every state put in
 * the store is put here too, so an entry always equals the store's (states are immutable, and
 * decoding a stored state gives an equal one). Bounded, least recently used first out. A task's
 * processor makes a new one on every {@code init}, so nothing survives a task closed after an
 * aborted transaction, whose store is then restored to the last commit.
 */
final class RecentStates {

    private final Map<String, JobState> states;

    RecentStates(int capacity) {
        this.states = new LinkedHashMap<>(capacity * 4 / 3 + 1, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, JobState> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The job's state, from here or else from the store (and then kept), or null if it has none. */
    JobState get(String jobId, Function<String, JobState> store) {
        JobState state = states.get(jobId);
        if (state == null) {
            state = store.apply(jobId);
            if (state != null) {
                states.put(jobId, state);
            }
        }
        return state;
    }

    /** The job's new state, just put in the store. */
    void put(String jobId, JobState state) {
        states.put(jobId, state);
    }
}
