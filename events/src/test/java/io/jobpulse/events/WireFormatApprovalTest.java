package io.jobpulse.events;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The wire format, pinned by the approved samples under {@code src/test/resources/wire}. Stored
 * events are read by every later version: renaming a field or a wire name must fail here, and a
 * change to the format is made on purpose, by changing a sample, and documented in docs/events.md.
 */
class WireFormatApprovalTest {

    static Stream<Arguments> samples() {
        Stream<Arguments> events = Arrays.stream(JobEvent.class.getPermittedSubclasses())
                .map(type -> Arguments.of(wireName(type), JobEvent.class));
        Stream<Arguments> batchEvents = Arrays.stream(BatchEvent.class.getPermittedSubclasses())
                .map(type -> Arguments.of(wireName(type), BatchEvent.class));
        return Stream.of(events, batchEvents, Stream.of(
                Arguments.of("status-change", StatusChange.class),
                Arguments.of("rejected-event", RejectedEvent.class),
                Arguments.of("rejected-event-decoded", RejectedEvent.class),
                Arguments.of("endpoint-change", EndpointChange.class),
                Arguments.of("delivery", Delivery.class),
                Arguments.of("delivery-report", DeliveryReport.class),
                Arguments.of("batch-change", BatchChange.class))).flatMap(samples -> samples);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void readsTheApprovedSampleAndWritesItBackUnchanged(String sample, Class<?> type) throws IOException {
        JsonNode approved = approved(sample);

        Object value = JobJson.read(JobJson.mapper().writeValueAsBytes(approved), type);

        assertThat(JobJson.mapper().readTree(JobJson.write(value))).isEqualTo(approved);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void theSampleShowsEveryField(String sample, Class<?> type) throws IOException {
        JsonNode approved = approved(sample);
        Class<?> recordType = type == JobEvent.class || type == BatchEvent.class
                ? eventType(type, approved.get("event").asText()) : type;

        assertThat(missingFields(recordType, approved, sample)).isEmpty();
    }

    @Test
    void everyEventTypeHasASampleUnderItsWireName() {
        for (Class<?> type : Stream.concat(Arrays.stream(JobEvent.class.getPermittedSubclasses()),
                Arrays.stream(BatchEvent.class.getPermittedSubclasses())).toList()) {
            assertThat(WireFormatApprovalTest.class.getResource("/wire/" + wireName(type) + ".json"))
                    .as("sample of %s", type.getSimpleName()).isNotNull();
        }
    }

    /**
     * The record components (at any depth, through nested records) that the sample leaves out;
     * {@code rejected-event} shows a record that could not be decoded, so it has no {@code event}.
     */
    private static List<String> missingFields(Class<?> type, JsonNode json, String path) {
        if (!type.isRecord() || !json.isObject()) {
            return List.of();
        }
        return Arrays.stream(type.getRecordComponents())
                .filter(component -> !(path.equals("rejected-event") && component.getName().equals("event"))
                        && !(path.equals("rejected-event-decoded") && component.getName().equals("raw")))
                .flatMap(component -> {
                    JsonNode value = json.get(component.getName());
                    String where = path + "." + component.getName();
                    return value == null ? Stream.of(where) : missingFields(componentType(component), value, where).stream();
                })
                .toList();
    }

    private static Class<?> componentType(RecordComponent component) {
        Type generic = component.getGenericType();
        if (generic instanceof ParameterizedType parameterized && parameterized.getRawType() == List.class
                && parameterized.getActualTypeArguments()[0] instanceof Class<?> element) {
            return element;
        }
        return component.getType() == JobEvent.class ? Object.class : component.getType();
    }

    private static JsonNode approved(String sample) throws IOException {
        try (InputStream in = WireFormatApprovalTest.class.getResourceAsStream("/wire/" + sample + ".json")) {
            assertThat(in).as("approved sample %s.json", sample).isNotNull();
            return JobJson.mapper().readTree(in);
        }
    }

    private static Class<?> eventType(Class<?> family, String wireName) {
        return Arrays.stream(family.getPermittedSubclasses())
                .filter(type -> wireName(type).equals(wireName)).findFirst().orElseThrow();
    }

    private static String wireName(Class<?> eventType) {
        try {
            return (String) eventType.getField("WIRE_NAME").get(null);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(eventType + " has no WIRE_NAME", e);
        }
    }
}
