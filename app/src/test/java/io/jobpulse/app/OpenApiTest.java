package io.jobpulse.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.jobpulse.http.ProblemType;
import io.micronaut.web.router.Router;
import io.swagger.parser.OpenAPIParser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract at {@code /openapi.yml} against the running server: every route the router serves
 * is described (and nothing it does not serve), the document is valid OpenAPI 3.1, a sample of
 * requests gets the statuses and bodies the document promises, and {@code /docs} shows it from
 * files of this server alone, in a real browser too. One instance with every role serves them all.
 */
class OpenApiTest {

    /**
     * Routes served but left out of the document on purpose (docs/api.md): none with the settings
     * of a deployment. {@code POST /bench/baseline} and {@code GET /dev/sign-in} exist only when the
     * benchmarks or {@code ./jobpulse dev} enable them, and are {@code @Hidden}.
     */
    private static final Set<String> NOT_DESCRIBED = Set.of();
    /** Described, but served by the WebSocket upgrade rather than by one of the router's HTTP routes. */
    private static final Set<String> NOT_A_ROUTE = Set.of("GET /v1/ws");
    private static final Pattern MANAGEMENT = Pattern.compile("/(beans|flyway|health|info|metrics|prometheus|refresh|routes|threaddump|token_info)(/.*)?");
    private static final Pattern VARIABLE = Pattern.compile("\\{[^}]*}");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JobpulseInstance jobpulse;
    private static String documentText;
    private static JsonNode document;

    @BeforeAll
    static void start() throws IOException {
        jobpulse = JobpulseInstance.allRoles();
        HttpResponse<String> answer = jobpulse.sendAsIs(HttpRequest.newBuilder(jobpulse.uri("/openapi.yml")).GET().build());
        assertThat(answer.statusCode()).as("/openapi.yml, without a credential").isEqualTo(200);
        assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/yaml"));
        documentText = answer.body();
        document = YAML.readTree(documentText);
    }

    @AfterAll
    static void stop() {
        jobpulse.close();
    }

    @Test
    void describesEveryRouteTheServerServesAndNoOther() {
        Router router = jobpulse.context().getBean(Router.class);
        Set<String> served = new TreeSet<>();
        // Micronaut answers HEAD wherever it answers GET; OpenAPI describes the GET.
        router.uriRoutes().forEach(route -> served.add(route.getHttpMethodName().replace("HEAD", "GET") + " "
                + VARIABLE.matcher(route.getUriMatchTemplate().toPathString()).replaceAll("{}")));
        Set<String> described = new TreeSet<>();
        document.get("paths").properties().forEach(path -> path.getValue().properties().forEach(operation -> {
            if (Set.of("get", "put", "post", "delete", "patch", "head", "options").contains(operation.getKey())) {
                described.add(operation.getKey().toUpperCase() + " " + VARIABLE.matcher(path.getKey()).replaceAll("{}"));
            }
        }));
        assertThat(served).as("routes the server has").hasSizeGreaterThan(30);
        assertThat(served.stream().filter(route -> !described.contains(route) && !NOT_DESCRIBED.contains(route)).toList())
                .as("routes served but not in /openapi.yml: describe them (or name them in NOT_DESCRIBED and docs/api.md)").isEmpty();
        assertThat(described.stream().filter(route -> !served.contains(route) && !NOT_A_ROUTE.contains(route)).toList())
                .as("operations in /openapi.yml that no route serves").isEmpty();
    }

    @Test
    void isValidOpenApi31WithEveryProblemType() {
        SwaggerParseResult result = new OpenAPIParser().readContents(documentText, null, null);
        assertThat(result.getMessages()).as("swagger-parser's messages").isEmpty();
        assertThat(result.getOpenAPI().getOpenapi()).startsWith("3.1");
        assertThat(result.getOpenAPI().getComponents().getSecuritySchemes()).containsKeys("bearerJwt", "apiKey", "streamToken", "providerSignature");
        List<String> types = new ArrayList<>();
        document.at("/components/schemas/Problem/properties/type/enum").forEach(type -> types.add(type.asText()));
        assertThat(types).as("the Problem schema's types").containsExactlyInAnyOrderElementsOf(Arrays.stream(ProblemType.values())
                .map(type -> "https://jobpulse.io/problems/" + type.slug()).toList());
        List<String> undescribed = new ArrayList<>();
        document.get("paths").properties().forEach(path -> path.getValue().properties().forEach(operation -> {
            // Micronaut's management endpoints come as Micronaut describes them; Jobpulse's own say what they do.
            if (!MANAGEMENT.matcher(path.getKey()).matches() && !operation.getValue().hasNonNull("summary")) {
                undescribed.add(operation.getKey() + " " + path.getKey());
            }
        }));
        assertThat(undescribed).as("operations without a summary").isEmpty();
        List<String> objectOrScalar = new ArrayList<>();
        typesNamingAnObjectBesideAScalar(document, "", objectOrScalar);
        assertThat(objectOrScalar).as("schemas typed as a scalar or an object, which accept neither precisely").isEmpty();
        assertThat(document.at("/paths/~1v1~1ws/get/description").asText()).contains("subscribe", "token-expiring");
        assertThat(document.at("/paths/~1v1~1stream/get/responses/200/content").has("text/event-stream")).isTrue();
    }

    private static void typesNamingAnObjectBesideAScalar(JsonNode node, String at, List<String> found) {
        JsonNode types = node.get("type");
        if (types != null && types.isArray()) {
            List<String> names = new ArrayList<>();
            types.forEach(type -> names.add(type.asText()));
            if (names.contains("object") && names.stream().anyMatch(Set.of("string", "boolean", "integer", "number")::contains)) {
                found.add(at + " " + names);
            }
        }
        node.properties().forEach(child -> typesNamingAnObjectBesideAScalar(child.getValue(), at + "/" + child.getKey(), found));
        for (int i = 0; node.isArray() && i < node.size(); i++) {
            typesNamingAnObjectBesideAScalar(node.get(i), at + "/" + i, found);
        }
    }

    @Test
    void answersAsTheDocumentSays() throws IOException {
        JsonNode example = document.at("/paths/~1v1~1jobs/post/requestBody/content/application~1json/examples");
        assertThat(example.isObject()).as("the submission's documented example").isTrue();
        String body = JSON.writeValueAsString(example.elements().next().get("value"));

        JsonNode accepted = checked("/v1/jobs", "post", jobpulse.post("/v1/jobs", body), 202);
        String id = accepted.get("id").asText();
        checked("/v1/jobs/{id}", "get", jobpulse.get("/v1/jobs/" + id), 200);
        checked("/v1/jobs/{id}/reports", "post", jobpulse.post("/v1/jobs/" + id + "/reports", "{\"status\":\"running\",\"progress\":0.5}"), 202);
        checked("/v1/jobs", "get", jobpulse.get("/v1/jobs?limit=5"), 200);
        checked("/v1/jobs/summary", "get", jobpulse.get("/v1/jobs/summary"), 200);
        checked("/v1/stream-tokens", "post", jobpulse.post("/v1/stream-tokens", "{\"jobs\":[\"" + id + "\"]}"), 201);

        JsonNode rejected = checked("/v1/jobs", "post", jobpulse.post("/v1/jobs", "{\"input\":{}}"), 400);
        assertThat(rejected.get("type").asText()).isEqualTo("https://jobpulse.io/problems/invalid-request");
        checked("/v1/jobs/{id}", "get", jobpulse.get("/v1/jobs/01jobthatdoesnotexist0000"), 404);
        checked("/v1/jobs", "get", jobpulse.sendAsIs(HttpRequest.newBuilder(jobpulse.uri("/v1/jobs")).timeout(Duration.ofSeconds(10)).GET().build()), 401);
        checked("/v1/jobs", "get", jobpulse.get("/v1/jobs?limit=0"), 400);
    }

    @Test
    void servesTheReferencePageAndItsFilesItself() {
        HttpResponse<String> page = jobpulse.sendAsIs(HttpRequest.newBuilder(jobpulse.uri("/docs")).GET().build());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(policy -> assertThat(policy).contains("default-src 'self'"));
        Matcher reference = Pattern.compile("(?:src|href)=\"([^\"]+)\"").matcher(page.body());
        List<String> files = new ArrayList<>();
        while (reference.find()) {
            files.add(reference.group(1));
        }
        assertThat(files).as("what the page loads").contains("/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css", "/docs/docs.js")
                .allSatisfy(file -> assertThat(file).startsWith("/docs/"));
        for (String file : files) {
            assertThat(jobpulse.sendAsIs(HttpRequest.newBuilder(jobpulse.uri(file)).GET().build()).statusCode()).as(file).isEqualTo(200);
        }
        HttpResponse<String> missing = jobpulse.sendAsIs(HttpRequest.newBuilder(jobpulse.uri("/docs/index.css")).GET().build());
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }

    @Test
    void theReferencePageRendersInABrowserFromThisServerAlone() throws Exception {
        Path screenshot = Path.of("target", "openapi-docs.png").toAbsolutePath();
        Files.deleteIfExists(screenshot);
        String base = jobpulse.uri("/").toString().replaceAll("/$", "");
        try (NodeScript browser = BrowserTests.start("api-docs.mjs", "--base", base, "--screenshot", screenshot.toString(),
                "--summary", "Submit a job")) {
            JsonNode rendered = browser.awaitLine(line -> line.has("step") || line.has("failed"), Duration.ofSeconds(60));
            assertThat(rendered.path("failed").asText(null)).isNull();
            assertThat(rendered.get("summaryVisible").asBoolean()).as("'Submit a job' shown").isTrue();
            assertThat(rendered.get("operations").asInt()).isGreaterThan(30);
            assertThat(rendered.get("requests")).extracting(JsonNode::asText).anyMatch(url -> url.endsWith("/openapi.yml"));
            assertThat(rendered.get("offServer")).as("requests off the server").isEmpty();
            assertThat(browser.lines).noneMatch(line -> line.has("pageError"));
        }
        assertThat(screenshot).exists();
        System.out.println("API reference screenshot: " + screenshot);
    }

    /**
     * Checks that the answer's status is one the operation documents, and its body matches that
     * response's schema (JSON Schema 2020-12, as OpenAPI 3.1's are); returns the body.
     */
    private static JsonNode checked(String path, String method, HttpResponse<String> answer, int expected) throws IOException {
        assertThat(answer.statusCode()).as(method + " " + path + ": " + answer.body()).isEqualTo(expected);
        String pointer = "/paths/" + escape(path) + "/" + method + "/responses/" + expected;
        JsonNode response = document.at(pointer);
        assertThat(response.isMissingNode()).as(method + " " + path + " documents " + expected).isFalse();
        if (response.has("$ref")) {
            pointer = response.get("$ref").asText().substring(1);
            response = document.at(pointer);
        }
        String type = answer.headers().firstValue("Content-Type").orElse("").replaceAll(";.*", "");
        assertThat(response.path("content").has(type)).as(method + " " + path + " " + expected + " documents " + type).isTrue();
        ObjectNode root = (ObjectNode) document.deepCopy();
        root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        root.put("$ref", "#" + pointer + "/content/" + escape(type) + "/schema");
        var schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(JSON.writeValueAsString(root), InputFormat.JSON);
        assertThat(schema.validate(answer.body(), InputFormat.JSON)).as(method + " " + path + " " + expected + ": " + answer.body()).isEmpty();
        return JSON.readTree(answer.body());
    }

    private static String escape(String pointerPart) {
        return pointerPart.replace("~", "~0").replace("/", "~1");
    }

}
