package io.jobpulse.push;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A position in {@code jobpulse.job-status}: for each partition, the offset of the next record
 * not yet delivered. It is the {@code id:} of the events of multi-job streams; since every push
 * instance reads the same topic, a client may resume with it on any instance. Opaque to clients:
 * base64url of {@code partition:offset,...}.
 */
record StreamCursor(Map<Integer, Long> next) {

    /**
     * What an id this service did not make stands for: it names no partition, so it is no
     * position of the topic, and a stream resuming from it starts with a reset.
     */
    static final StreamCursor NOWHERE = new StreamCursor(Map.of());

    StreamCursor {
        next = Map.copyOf(next);
    }

    /** The partitions this cursor has a position in. */
    Set<Integer> partitions() {
        return next.keySet();
    }

    long next(int partition) {
        return next.getOrDefault(partition, 0L);
    }

    /** The cursor after delivering the record at this offset. */
    StreamCursor after(int partition, long offset) {
        Map<Integer, Long> moved = new TreeMap<>(next);
        moved.merge(partition, offset + 1, Math::max);
        return new StreamCursor(moved);
    }

    String encode() {
        StringBuilder text = new StringBuilder();
        new TreeMap<>(next).forEach((partition, offset) -> {
            if (!text.isEmpty()) {
                text.append(',');
            }
            text.append(partition).append(':').append(offset);
        });
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The cursor, or an {@link IllegalArgumentException} if the text is not one this service made. */
    static StreamCursor decode(String text) {
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(text.trim()), StandardCharsets.UTF_8);
            Map<Integer, Long> next = new TreeMap<>();
            for (String part : decoded.split(",")) {
                String[] pair = part.split(":");
                if (pair.length != 2) {
                    throw new IllegalArgumentException("not a stream cursor");
                }
                int partition = Integer.parseInt(pair[0]);
                long offset = Long.parseLong(pair[1]);
                if (partition < 0 || offset < 0) {
                    throw new IllegalArgumentException("not a stream cursor");
                }
                next.put(partition, offset);
            }
            return new StreamCursor(next);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a stream cursor", e);
        }
    }
}
