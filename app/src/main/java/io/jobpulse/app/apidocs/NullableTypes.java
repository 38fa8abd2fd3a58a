package io.jobpulse.app.apidocs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;

/**
 * Mends one flaw of the generated document before it is served: in OpenAPI 3.1 mode micronaut-openapi
 * describes every {@code @Nullable} parameter or field of a plain type as {@code type: [string, "null",
 * object]}, which says an object would be accepted where only a string (or nothing) is. A schema whose
 * types name a scalar beside {@code object}, and that describes no properties, loses the {@code object}.
 */
final class NullableTypes {

    private static final Set<String> SCALARS = Set.of("string", "boolean", "integer", "number");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    private NullableTypes() {
    }

    static byte[] mended(byte[] document) {
        try {
            JsonNode root = YAML.readTree(document);
            mend(root);
            return YAML.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new UncheckedIOException("the generated OpenAPI document does not parse", e);
        }
    }

    private static void mend(JsonNode node) {
        if (node instanceof ObjectNode schema && schema.get("type") instanceof ArrayNode types
                && !schema.has("properties") && !schema.has("additionalProperties") && namesAScalar(types)) {
            for (int i = types.size() - 1; i >= 0; i--) {
                if ("object".equals(types.get(i).asText())) {
                    types.remove(i);
                }
            }
        }
        node.forEach(NullableTypes::mend);
    }

    private static boolean namesAScalar(ArrayNode types) {
        for (JsonNode type : types) {
            if (SCALARS.contains(type.asText())) {
                return true;
            }
        }
        return false;
    }
}
