package io.jobpulse.push;

import io.jobpulse.events.Roles;
import io.micronaut.context.annotation.Requires;
import io.micronaut.json.JsonMapper;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * An update's JSON, encoded once per change rather than once per stream: the feed hands the same
 * {@link JobUpdate} object to every subscriber it matches, so a change fanned out to thousands of
 * streams is serialised once and each stream writes the same text (as its {@code data:}, which the
 * SSE codec writes as it is). The JSON is the application's own mapper's, as the codec's was.
 *
 * <p>The memory is a small table of recent updates by identity, without locks: a stream that finds
 * another update in its slot (a collision, or a slow stream taking an old change) encodes it
 * again, which costs time, never correctness.
 */
@Singleton
@Requires(property = Roles.PROPERTY, pattern = Roles.PUSH)
class UpdateEncoding {

    private static final int SLOTS = 256;

    private record Encoded(Object update, String json) {
    }

    private final JsonMapper json;
    private final AtomicReferenceArray<Encoded> recent = new AtomicReferenceArray<>(SLOTS);

    UpdateEncoding(JsonMapper json) {
        this.json = json;
    }

    /** The update (a {@link JobUpdate} or a {@link BatchUpdate}) as JSON, from the table when this very update was encoded lately. */
    String json(Object update) {
        int slot = System.identityHashCode(update) & (SLOTS - 1);
        Encoded cached = recent.get(slot);
        if (cached != null && cached.update() == update) {
            return cached.json();
        }
        try {
            String text = json.writeValueAsString(update);
            recent.set(slot, new Encoded(update, text));
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException("an update could not be written as JSON", e);
        }
    }
}
