package io.jobpulse.app;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.jobpulse.events.JobJson;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.time.Duration;
import java.time.format.DateTimeParseException;

/**
 * Gives the HTTP layer's JSON mapper the conventions of the event serde, so a field has one name
 * everywhere, and reads request bodies strictly: an unknown or repeated field, a number or
 * boolean where text belongs, a value where a list belongs (or the reverse) is a 400 that names
 * it, not a guess. (Events on Kafka are read by {@link JobJson}'s own mapper, which stays lenient
 * towards fields added later.)
 */
@Singleton
public class JsonConventions implements BeanCreatedEventListener<ObjectMapper> {

    @Override
    public ObjectMapper onCreated(BeanCreatedEvent<ObjectMapper> event) {
        ObjectMapper mapper = JobJson.configure(event.getBean());
        mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.disable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY);
        mapper.disable(DeserializationFeature.UNWRAP_SINGLE_VALUE_ARRAYS);
        mapper.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION.mappedFeature());
        for (CoercionInputShape scalar : new CoercionInputShape[] {CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.Boolean}) {
            mapper.coercionConfigFor(LogicalType.Textual).setCoercion(scalar, CoercionAction.Fail);
            mapper.coercionConfigFor(LogicalType.DateTime).setCoercion(scalar, CoercionAction.Fail);
        }
        mapper.coercionConfigFor(LogicalType.Float).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        // Durations only as ISO-8601 text ("PT10M"): a bare number would have to be guessed as seconds.
        mapper.registerModule(new SimpleModule("jobpulse-strict-durations").addDeserializer(Duration.class, new StdScalarDeserializer<>(Duration.class) {
            @Override
            public Duration deserialize(JsonParser parser, DeserializationContext context) throws IOException {
                if (parser.currentToken() != JsonToken.VALUE_STRING) {
                    return (Duration) context.handleUnexpectedToken(Duration.class, parser);
                }
                try {
                    return Duration.parse(parser.getText().strip());
                } catch (DateTimeParseException e) {
                    return (Duration) context.handleWeirdStringValue(Duration.class, parser.getText(), "not an ISO-8601 duration such as PT10M");
                }
            }
        }));
        return mapper;
    }
}
