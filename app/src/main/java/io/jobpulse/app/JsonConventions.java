package io.jobpulse.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobpulse.events.JobJson;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import jakarta.inject.Singleton;

/** Gives the HTTP layer's JSON mapper the conventions of the event serde, so a field has one name everywhere. */
@Singleton
public class JsonConventions implements BeanCreatedEventListener<ObjectMapper> {

    @Override
    public ObjectMapper onCreated(BeanCreatedEvent<ObjectMapper> event) {
        return JobJson.configure(event.getBean());
    }
}
