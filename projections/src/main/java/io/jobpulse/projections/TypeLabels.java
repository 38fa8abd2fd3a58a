package io.jobpulse.projections;

import jakarta.inject.Singleton;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The value of the {@code type} label of a job type. Job types are the callers' own strings, and every one
 * would be a new series in every metric labelled with it: the first {@code jobpulse.metrics.max-types} types
 * an instance sees keep their names, and any later one is {@value #OTHER}. Which types those are may differ
 * between instances (each sees types in its own order) and after a restart.
 */
@Singleton
public class TypeLabels {

    static final String OTHER = "other";

    private final Set<String> named = ConcurrentHashMap.newKeySet();
    private final int max;

    public TypeLabels(MetricsConfiguration config) {
        this.max = config.maxTypes();
    }

    /** The label of this type: the type itself while there is room, else {@value #OTHER}. */
    String of(String type) {
        if (named.contains(type)) {
            return type;
        }
        synchronized (named) {
            if (named.size() < max) {
                named.add(type);
                return type;
            }
        }
        return OTHER;
    }
}
