package io.jobpulse.outbound;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;

/**
 * A URL Jobpulse may call, in one canonical form: http or https, a lower-case host, the port
 * always known (80 and 443 when not written), percent-encoding normalised (unreserved characters
 * decoded, the rest in upper-case hex), dot segments removed, no user info, no fragment. What is
 * checked against a template is exactly what is sent.
 *
 * <p>Refused outright, because servers read them in different ways: user info ({@code
 * https://api.example@evil.example/}), an encoded slash or backslash in the path ({@code %2F},
 * {@code %5C}), a dot segment carrying parameters ({@code /..;/}), and anything that is not an
 * absolute http(s) URL with a host. Pure: no lookups.
 *
 * @param scheme {@code http} or {@code https}
 * @param host   the host in lower case (an IPv6 literal keeps its brackets)
 * @param port   the port, explicit or the scheme's default
 * @param path   the normalised path, at least {@code /}
 * @param query  the raw query, or null
 */
public record OutboundUrl(String scheme, String host, int port, String path, String query) {

    /** Why a URL cannot be called. */
    public static final class Invalid extends IllegalArgumentException {
        Invalid(String reason) {
            super(reason);
        }
    }

    private static final String UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** Parses and normalises a URL; throws {@link Invalid} saying why it cannot be called. */
    public static OutboundUrl parse(String raw) {
        if (raw == null || raw.isBlank()) {
            throw new Invalid("it is empty");
        }
        URI uri;
        try {
            uri = new URI(raw);
        } catch (URISyntaxException e) {
            throw new Invalid("it is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute() || uri.isOpaque() || !("http".equals(scheme) || "https".equals(scheme))) {
            throw new Invalid("it is not an absolute http or https URL");
        }
        if (uri.getRawUserInfo() != null || (uri.getRawAuthority() != null && uri.getRawAuthority().contains("@"))) {
            throw new Invalid("it carries user info (user@host)");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new Invalid("it has no valid host");
        }
        int port = uri.getPort() == -1 ? ("https".equals(scheme) ? 443 : 80) : uri.getPort();
        if (port < 1 || port > 65_535) {
            throw new Invalid("its port is out of range");
        }
        String path = removeDotSegments(normalisePercents(uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath()));
        return new OutboundUrl(scheme, uri.getHost().toLowerCase(Locale.ROOT), port, path, uri.getRawQuery());
    }

    /** The host as a resolver takes it: an IPv6 literal without its brackets. */
    public String hostName() {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    public URI toUri() {
        return URI.create(toString());
    }

    /** The canonical form: the port is written only when it is not the scheme's default. */
    @Override
    public String toString() {
        boolean defaultPort = port == ("https".equals(scheme) ? 443 : 80);
        return scheme + "://" + host + (defaultPort ? "" : ":" + port) + path + (query == null ? "" : "?" + query);
    }

    /** Decodes escapes of unreserved characters and upper-cases the others; refuses encoded slashes. */
    static String normalisePercents(String rawPath) {
        StringBuilder out = new StringBuilder(rawPath.length());
        for (int i = 0; i < rawPath.length(); i++) {
            char c = rawPath.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            if (i + 2 >= rawPath.length() || Character.digit(rawPath.charAt(i + 1), 16) < 0 || Character.digit(rawPath.charAt(i + 2), 16) < 0) {
                throw new Invalid("its path has a malformed percent escape");
            }
            int value = Character.digit(rawPath.charAt(i + 1), 16) * 16 + Character.digit(rawPath.charAt(i + 2), 16);
            if (value == '/' || value == '\\') {
                throw new Invalid("its path has an encoded slash or backslash");
            }
            if (UNRESERVED.indexOf(value) >= 0) {
                out.append((char) value);
            } else {
                out.append('%').append(HEX[value >> 4]).append(HEX[value & 0xF]);
            }
            i += 2;
        }
        return out.toString();
    }

    /** RFC 3986 section 5.2.4 on an absolute path; a dot segment with parameters ({@code ..;x}) is refused. */
    static String removeDotSegments(String path) {
        if (!path.startsWith("/")) {
            throw new Invalid("its path is not absolute");
        }
        Deque<String> kept = new ArrayDeque<>();
        String[] segments = path.substring(1).split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            boolean last = i == segments.length - 1;
            String bare = segment.contains(";") ? segment.substring(0, segment.indexOf(';')) : segment;
            if (!bare.equals(segment) && (bare.equals(".") || bare.equals(".."))) {
                throw new Invalid("its path has a dot segment with parameters");
            }
            if (segment.equals(".")) {
                if (last) {
                    kept.addLast("");
                }
            } else if (segment.equals("..")) {
                kept.pollLast();
                if (last) {
                    kept.addLast("");
                }
            } else {
                kept.addLast(segment);
            }
        }
        return "/" + String.join("/", kept);
    }

    /** A value encoded as one path segment: everything but the unreserved characters is escaped. */
    public static String encodeSegment(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if (UNRESERVED.indexOf(c) >= 0) {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        return out.toString();
    }
}
