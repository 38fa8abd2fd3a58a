package io.jobpulse.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * What came from outside, kept as received so that an audit can show it and a fixed adapter can
 * re-read it. A body that is not JSON is kept as a JSON string. A body larger than Jobpulse keeps
 * ({@link #cappedTo}) is kept as the start of its JSON text, as a string, with the header
 * {@value #TRUNCATED} giving the size of the whole.
 *
 * @param headers the headers that matter for the callback (ids, timestamps, signatures), by lower-case name
 * @param body    the body as JSON
 */
public record RawPayload(Map<String, String> headers, JsonNode body) {

    /** The header that marks a cut body; its value is the size of the whole body's JSON, in bytes. */
    public static final String TRUNCATED = ":truncated-from-bytes";

    public RawPayload {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    /**
     * This payload, or, if its body's JSON is larger than {@code maxBytes}, the start of that JSON
     * as a string of at most {@code maxBytes} bytes (as JSON), marked {@value #TRUNCATED}.
     */
    public RawPayload cappedTo(int maxBytes) {
        if (body == null) {
            return this;
        }
        byte[] json = JobJson.write(body);
        if (json.length <= maxBytes) {
            return this;
        }
        String text = new String(json, StandardCharsets.UTF_8);
        int keep = Math.min(text.length(), maxBytes);
        TextNode cut = TextNode.valueOf(prefix(text, keep));
        for (int size = JobJson.write(cut).length; size > maxBytes && keep > 0; size = JobJson.write(cut).length) {
            // Escapes and multi-byte characters make the string longer as JSON than as text.
            keep = (int) ((long) keep * maxBytes / size * 9 / 10);
            cut = TextNode.valueOf(prefix(text, keep));
        }
        Map<String, String> marked = new TreeMap<>(headers);
        marked.put(TRUNCATED, Integer.toString(json.length));
        return new RawPayload(marked, cut);
    }

    /** The first {@code length} characters, never splitting a surrogate pair. */
    private static String prefix(String text, int length) {
        int end = length > 0 && length < text.length() && Character.isHighSurrogate(text.charAt(length - 1)) ? length - 1 : length;
        return text.substring(0, end);
    }
}
