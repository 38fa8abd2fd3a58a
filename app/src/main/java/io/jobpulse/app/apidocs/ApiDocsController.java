package io.jobpulse.app.apidocs;

import io.jobpulse.http.Problem;
import io.jobpulse.http.ProblemException;
import io.jobpulse.http.ProblemType;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirements;
import io.swagger.v3.oas.annotations.tags.Tag;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The API contract and its reference page: {@code GET /openapi.yml}, the OpenAPI 3.1 document the
 * build generated ({@link ApiDescription}), and {@code GET /docs}, Swagger UI over it, with its
 * files served from the jar (the {@code org.webjars:swagger-ui} jar and {@code public/docs/}), so
 * that the page fetches nothing from anywhere but this server. Like the dashboard's files these
 * hold nothing of anyone's and answer without a credential, by the route matched
 * ({@link Secured}), never by the look of a path; every instance serves them, whatever its roles.
 *
 * <p>Only the files named in {@link #FILES} are served: a name is looked up in that map, never
 * joined to a path.
 */
@Controller
@Secured(SecurityRule.IS_ANONYMOUS)
@Tag(name = "Service")
@SecurityRequirements
public class ApiDocsController {

    static final String DOCUMENT = "META-INF/swagger/jobpulse.yml";
    private static final String SWAGGER_UI = "META-INF/resources/webjars/swagger-ui/" + swaggerUiVersion() + "/";
    /** The page's files, by the name they are served under. */
    private static final Map<String, String> FILES = Map.of(
            "swagger-ui.css", SWAGGER_UI + "swagger-ui.css",
            "swagger-ui-bundle.js", SWAGGER_UI + "swagger-ui-bundle.js",
            "favicon-32x32.png", SWAGGER_UI + "favicon-32x32.png",
            "docs.js", "public/docs/docs.js",
            "docs.css", "public/docs/docs.css");
    private static final Map<String, String> CONTENT_TYPES = Map.of(
            "css", "text/css; charset=utf-8", "js", "text/javascript; charset=utf-8", "png", "image/png");
    /** Swagger UI sets inline styles and shows data: images; scripts and requests stay on this origin. */
    private static final String PAGE_POLICY = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            + "script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final Map<String, Optional<byte[]>> loaded = new ConcurrentHashMap<>();
    /** The document as served, made on the first request. */
    private volatile byte[] document;

    @Get(value = "/openapi.yml", produces = "application/yaml")
    @Operation(summary = "This API's OpenAPI 3.1 document", description = "Generated from the code when Jobpulse is built.")
    @ApiResponse(responseCode = "200", description = "The document", content = @Content(mediaType = "application/yaml"))
    public HttpResponse<byte[]> document() {
        if (document == null) {
            document = NullableTypes.mended(file(DOCUMENT));
        }
        return HttpResponse.ok(document).contentType("application/yaml").header(HttpHeaders.CACHE_CONTROL, "no-cache");
    }

    @Get(value = "/docs", produces = MediaType.TEXT_HTML)
    @Operation(summary = "The API reference page", description = "Swagger UI over `/openapi.yml`, served with its files by Jobpulse.")
    @ApiResponse(responseCode = "200", description = "The page", content = @Content(mediaType = MediaType.TEXT_HTML))
    public HttpResponse<byte[]> page() {
        return HttpResponse.ok(file("public/docs/index.html")).contentType("text/html; charset=utf-8")
                .header("Content-Security-Policy", PAGE_POLICY)
                .header("Referrer-Policy", "no-referrer")
                .header(HttpHeaders.CACHE_CONTROL, "no-cache");
    }

    @Get(value = "/docs/{file}", produces = MediaType.ALL)
    @Operation(summary = "A file of the API reference page", description = "Swagger UI's script and styles, and the page's own.")
    @ApiResponse(responseCode = "200", description = "The file", content = @Content(mediaType = "*/*"))
    @ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
    public HttpResponse<byte[]> pageFile(@PathVariable String file) {
        String resource = FILES.get(file);
        if (resource == null) {
            throw notFound(file);
        }
        return HttpResponse.ok(file(resource)).contentType(CONTENT_TYPES.get(file.substring(file.lastIndexOf('.') + 1)))
                .header(HttpHeaders.CACHE_CONTROL, "no-cache")
                .header("X-Content-Type-Options", "nosniff");
    }

    private byte[] file(String resource) {
        return loaded.computeIfAbsent(resource, ApiDocsController::load).orElseThrow(() -> notFound(resource.substring(resource.lastIndexOf('/') + 1)));
    }

    private static Optional<byte[]> load(String resource) {
        try (InputStream in = ApiDocsController.class.getClassLoader().getResourceAsStream(resource)) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The version of the swagger-ui webjar on the classpath: its files are under a folder of that name. */
    private static String swaggerUiVersion() {
        Properties properties = new Properties();
        try (InputStream in = ApiDocsController.class.getClassLoader().getResourceAsStream("META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties.getProperty("version", "missing");
    }

    private static ProblemException notFound(String name) {
        return new ProblemException(Problem.of(ProblemType.NOT_FOUND, "There is no file '" + name + "' here; the API reference is at /docs."));
    }
}
