package io.jobpulse.app.dashboard;

import io.jobpulse.http.ApiContract;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.jobpulse.events.Roles;
import io.jobpulse.http.Problem;
import io.jobpulse.http.ProblemException;
import io.jobpulse.http.ProblemType;
import io.jobpulse.http.Routes;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The dashboard ({@code GET /}, its styles and scripts under {@code /dashboard/}) and the JavaScript
 * client ({@code /client/jobpulse-client.js} and its types), served from the jar's {@code public/}
 * folder by instances with the push role, whose streams the page follows. These routes, and only
 * these, answer without a credential: the rule is attached to the routes ({@link Secured}), so a
 * request is let through by the route it matched, never by the look of its path. The files hold
 * nothing secret; the page asks for a token before it reads anything.
 *
 * <p>File names are one path segment of letters, digits, dots and dashes, looked up under the
 * route's own folder, so no name reaches outside it. Each file is read once and answered with an
 * ETag and {@code Cache-Control: no-cache}: the paths carry no version, so browsers revalidate
 * (a {@code 304} when nothing changed) and never run a stale script after an upgrade.
 */
@Tag(name = "Service")
@io.swagger.v3.oas.annotations.security.SecurityRequirements
@Controller
@Requires(property = Roles.PROPERTY, pattern = Roles.PUSH)
@Secured(SecurityRule.IS_ANONYMOUS)
public class DashboardController {

    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*(\\.[A-Za-z0-9_-]+)+");
    private static final Map<String, String> CONTENT_TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "ts", "application/typescript; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png");
    /**
     * The page may show result images and videos from anywhere, and talks to this origin only.
     * No inline script or style: everything it runs comes from the files beside it.
     */
    private static final String PAGE_POLICY = "default-src 'self'; img-src * data: blob:; media-src * data: blob:; "
            + "connect-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; base-uri 'none'; "
            + "form-action 'none'; frame-ancestors 'none'";

    /** A file as served: its bytes, content type and entity tag. */
    private record StaticFile(byte[] body, String contentType, String etag) {
    }

    private static final String PAGE = "public/dashboard/index.html";

    private final Map<String, Optional<StaticFile>> files = new ConcurrentHashMap<>();

    /** @param devSignIn whether {@code GET /dev/sign-in} is served, which the page is told so that it asks only then */
    public DashboardController(@Property(name = DevSignInController.PROPERTY, defaultValue = "false") boolean devSignIn) {
        if (devSignIn) {
            files.put(PAGE, load(PAGE).map(page -> file(new String(page.body(), StandardCharsets.UTF_8)
                    .replace("<body>", "<body data-dev-sign-in>").getBytes(StandardCharsets.UTF_8), page.contentType())));
        }
    }

    @Operation(summary = "The dashboard page", description = """
            Jobs live in a browser; it asks for a token before it reads anything.""")
    @ApiResponse(responseCode = "200", description = "The page.")
    @ApiResponse(responseCode = "304", description = "Not modified (`If-None-Match`).")
    @Get(value = Routes.DASHBOARD, produces = MediaType.TEXT_HTML)
    public HttpResponse<byte[]> page(@Header(HttpHeaders.IF_NONE_MATCH) @Nullable String ifNoneMatch) {
        return serve(PAGE, ifNoneMatch)
                .header("Content-Security-Policy", PAGE_POLICY)
                .header("Referrer-Policy", "no-referrer");
    }

    @Operation(summary = "A file of the dashboard")
    @ApiResponse(responseCode = "200", description = "The file.")
    @ApiResponse(responseCode = "304", description = "Not modified (`If-None-Match`).")
    @ApiResponse(responseCode = "404", ref = ApiContract.NOT_FOUND)
    @Get(value = Routes.DASHBOARD_FILES, produces = MediaType.ALL)
    public HttpResponse<byte[]> dashboardFile(@PathVariable String file, @Header(HttpHeaders.IF_NONE_MATCH) @Nullable String ifNoneMatch) {
        return serve("public/dashboard/" + checked(file), ifNoneMatch);
    }

    @Operation(summary = "A file of the JavaScript client", description = """
            `jobpulse-client.js` (an ES module) and its types.""")
    @ApiResponse(responseCode = "200", description = "The file.")
    @ApiResponse(responseCode = "304", description = "Not modified (`If-None-Match`).")
    @ApiResponse(responseCode = "404", ref = ApiContract.NOT_FOUND)
    @Get(value = Routes.CLIENT_FILES, produces = MediaType.ALL)
    public HttpResponse<byte[]> clientFile(@PathVariable String file, @Header(HttpHeaders.IF_NONE_MATCH) @Nullable String ifNoneMatch) {
        return serve("public/client/" + checked(file), ifNoneMatch);
    }

    private static String checked(String name) {
        if (!FILE_NAME.matcher(name).matches() || !CONTENT_TYPES.containsKey(name.substring(name.lastIndexOf('.') + 1))) {
            throw notFound(name);
        }
        return name;
    }

    private MutableHttpResponse<byte[]> serve(String resource, @Nullable String ifNoneMatch) {
        StaticFile file = files.computeIfAbsent(resource, DashboardController::load)
                .orElseThrow(() -> notFound(resource.substring(resource.lastIndexOf('/') + 1)));
        MutableHttpResponse<byte[]> response = file.etag().equals(ifNoneMatch)
                ? HttpResponse.status(HttpStatus.NOT_MODIFIED)
                : HttpResponse.ok(file.body()).contentType(file.contentType());
        return response.header(HttpHeaders.ETAG, file.etag())
                .header(HttpHeaders.CACHE_CONTROL, "no-cache")
                .header("X-Content-Type-Options", "nosniff");
    }

    private static Optional<StaticFile> load(String resource) {
        try (InputStream in = DashboardController.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                return Optional.empty();
            }
            return Optional.of(file(in.readAllBytes(), CONTENT_TYPES.get(resource.substring(resource.lastIndexOf('.') + 1))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static StaticFile file(byte[] body, String contentType) {
        try {
            return new StaticFile(body, contentType, "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body), 0, 16) + "\"");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ProblemException notFound(String name) {
        return new ProblemException(Problem.of(ProblemType.NOT_FOUND, "There is no file '" + name + "' here."));
    }
}
