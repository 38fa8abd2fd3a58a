package io.jobpulse.projections;

import java.util.List;

/**
 * A PostgreSQL array literal of text ({@code {"a","b \"c\""}}), for an array column sent inside an
 * array parameter: each element double-quoted, its backslashes and quotes escaped, so any text
 * (commas, braces, spaces, the word NULL) comes back as it went.
 */
final class ArrayLiteral {

    private ArrayLiteral() {
    }

    static String of(List<String> elements) {
        StringBuilder out = new StringBuilder("{");
        for (String element : elements) {
            if (out.length() > 1) {
                out.append(',');
            }
            out.append('"');
            for (int i = 0; i < element.length(); i++) {
                char c = element.charAt(i);
                if (c == '"' || c == '\\') {
                    out.append('\\');
                }
                out.append(c);
            }
            out.append('"');
        }
        return out.append('}').toString();
    }
}
