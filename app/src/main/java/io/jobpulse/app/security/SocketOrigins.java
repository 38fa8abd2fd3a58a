package io.jobpulse.app.security;

import io.jobpulse.http.Problem;
import io.jobpulse.http.ProblemType;
import io.jobpulse.http.Routes;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.server.HttpServerConfiguration;
import io.micronaut.http.server.cors.CorsFilter;
import io.micronaut.http.server.cors.CorsOriginConfiguration;
import io.micronaut.http.server.util.HttpHostResolver;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Which pages may open a WebSocket: a browser sends the page's {@code Origin} with every handshake,
 * but does not hold a socket to the CORS rules it applies to other requests, so the server must.
 * A handshake from the instance's own origin (a page it served) or from one of the CORS origins
 * ({@code micronaut.server.cors.configurations.*.allowed-origins}, {@code JOBPULSE_CORS_ORIGINS}) goes
 * on; from any other origin it is refused before the upgrade with {@code 403} problem+json, so a
 * page elsewhere never gets a socket. A handshake without {@code Origin} (a program, not a page) is
 * not concerned. The own origin is the scheme and {@code Host} the request came with, as Micronaut
 * resolves them (behind a proxy, as {@code micronaut.server.host-resolution} says).
 */
@ServerFilter(Routes.SOCKET)
public class SocketOrigins implements Ordered {

    private final HttpServerConfiguration.CorsConfiguration cors;
    private final HttpHostResolver hosts;

    SocketOrigins(HttpServerConfiguration.CorsConfiguration cors, HttpHostResolver hosts) {
        this.cors = cors;
        this.hosts = hosts;
    }

    @RequestFilter
    @Nullable
    public HttpResponse<Problem> checkOrigin(HttpRequest<?> request) {
        String origin = request.getHeaders().get(HttpHeaders.ORIGIN);
        if (origin == null || sameOrigin(origin, hosts.resolve(request)) || allowed(origin)) {
            return null;
        }
        return HttpResponse.<Problem>status(HttpStatus.FORBIDDEN).contentType(Problem.MEDIA_TYPE)
                .body(Problem.of(ProblemType.FORBIDDEN, "Pages on " + origin + " may not open a WebSocket here: only pages of this"
                        + " server's own origin and of the CORS origins it is configured with (JOBPULSE_CORS_ORIGINS) may.")
                        .with("origin", origin));
    }

    private boolean allowed(String origin) {
        if (!cors.isEnabled()) {
            return false;
        }
        for (CorsOriginConfiguration configuration : cors.getConfigurations().values()) {
            for (String allowed : configuration.getAllowedOrigins()) {
                if (allowed.equals("*") || sameOrigin(allowed, origin)) {
                    return true;
                }
            }
            if (configuration.getAllowedOriginsRegex().map(regex -> Pattern.matches(regex, origin)).orElse(false)) {
                return true;
            }
        }
        return false;
    }

    /** Whether two origins ({@code scheme://host[:port]}) are the same, the default port written or not. */
    static boolean sameOrigin(String one, String other) {
        try {
            URI a = URI.create(one.strip());
            URI b = URI.create(other.strip());
            return a.getScheme() != null && a.getHost() != null && a.getScheme().equalsIgnoreCase(b.getScheme())
                    && a.getHost().equalsIgnoreCase(Objects.requireNonNullElse(b.getHost(), ""))
                    && port(a) == port(b);
        } catch (IllegalArgumentException notAnOrigin) {
            return false;
        }
    }

    private static int port(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        return switch (uri.getScheme().toLowerCase(Locale.ROOT)) {
            case "https", "wss" -> 443;
            default -> 80;
        };
    }

    /** Before Micronaut's CORS filter, whose own refusal of a foreign origin has no body. */
    @Override
    public int getOrder() {
        return CorsFilter.CORS_FILTER_ORDER - 1;
    }
}
