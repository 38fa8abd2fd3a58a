package io.jobpulse.outbound;

/**
 * An operator's URL with {@code {requestId}} in its path, such as
 * {@code https://api.replicate.com/v1/predictions/{requestId}}: the only shape of URL that
 * Jobpulse calls for a provider. A URL matches when, both in {@link OutboundUrl canonical form},
 * scheme, host and port are the template's and its path is the template's path with one
 * non-empty segment in place of {@code {requestId}}. The query is not compared; it does not
 * change where a request goes. Pure: no lookups.
 */
public final class UrlTemplate {

    public static final String REQUEST_ID = "{requestId}";
    /** Stands for the request id while the template is normalised: unreserved characters only, so it passes unchanged. */
    private static final String MARK = "jobpulse-request-id-4f1c9a";

    private final String template;
    private final OutboundUrl base;
    private final String pathPrefix;
    private final String pathSuffix;

    private UrlTemplate(String template, OutboundUrl base, String pathPrefix, String pathSuffix) {
        this.template = template;
        this.base = base;
        this.pathPrefix = pathPrefix;
        this.pathSuffix = pathSuffix;
    }

    /** Parses a template; throws {@link IllegalArgumentException} saying what is wrong with it. */
    public static UrlTemplate parse(String template) {
        if (template == null || template.indexOf(REQUEST_ID) < 0 || template.indexOf(REQUEST_ID) != template.lastIndexOf(REQUEST_ID)) {
            throw new IllegalArgumentException("'" + template + "' must contain " + REQUEST_ID + " once");
        }
        OutboundUrl base;
        try {
            base = OutboundUrl.parse(template.replace(REQUEST_ID, MARK));
        } catch (OutboundUrl.Invalid e) {
            throw new IllegalArgumentException("'" + template + "' cannot be called: " + e.getMessage());
        }
        int at = base.path().indexOf(MARK);
        if (at < 0 || base.host().contains(MARK) || (base.query() != null && base.query().contains(MARK))) {
            throw new IllegalArgumentException("'" + template + "' must have " + REQUEST_ID + " in its path");
        }
        String prefix = base.path().substring(0, at);
        String suffix = base.path().substring(at + MARK.length());
        if (!prefix.endsWith("/") || !(suffix.isEmpty() || suffix.startsWith("/"))) {
            throw new IllegalArgumentException("'" + template + "' must have " + REQUEST_ID + " as a whole path segment");
        }
        return new UrlTemplate(template, base, prefix, suffix);
    }

    /** Whether a canonical URL is one of this template's. */
    public boolean matches(OutboundUrl url) {
        if (!url.scheme().equals(base.scheme()) || !url.host().equals(base.host()) || url.port() != base.port()) {
            return false;
        }
        String path = url.path();
        if (path.length() <= pathPrefix.length() + pathSuffix.length() || !path.startsWith(pathPrefix) || !path.endsWith(pathSuffix)) {
            return false;
        }
        String id = path.substring(pathPrefix.length(), path.length() - pathSuffix.length());
        return !id.isEmpty() && id.indexOf('/') < 0 && !id.equals(".") && !id.equals("..");
    }

    /** The template with a request id in place of {@code {requestId}}, encoded as one path segment. */
    public String fill(String requestId) {
        return base.toString().replace(MARK, OutboundUrl.encodeSegment(requestId));
    }

    /** The template as the operator wrote it. */
    @Override
    public String toString() {
        return template;
    }
}
