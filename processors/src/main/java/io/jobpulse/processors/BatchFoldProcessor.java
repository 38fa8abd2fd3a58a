package io.jobpulse.processors;

import io.jobpulse.events.BatchChange;
import io.jobpulse.events.BatchEvent;
import io.jobpulse.events.BatchMember;
import io.jobpulse.events.BatchState;
import io.jobpulse.events.CloudEventHeaders;
import io.jobpulse.events.StateStores;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

import java.util.Objects;

/**
 * Folds a batch's events and its jobs' changes ({@link BatchLifecycle}) into the {@code batch-state}
 * and {@code batch-members} stores, and forwards each visible change with CloudEvents headers. Its
 * input is keyed by batch id, so one task holds all of a batch; under exactly-once the stores and the
 * changes it writes commit together.
 */
public final class BatchFoldProcessor implements Processor<String, BatchEvent, String, BatchChange> {

    private ProcessorContext<String, BatchChange> context;
    private KeyValueStore<String, BatchState> states;
    private KeyValueStore<String, BatchMember> members;

    /** The key of a member job in {@code batch-members}: {@code <batchId>/<jobId>}, so a batch's members are adjacent. */
    public static String memberKey(String batchId, String jobId) {
        return batchId + "/" + jobId;
    }

    @Override
    public void init(ProcessorContext<String, BatchChange> context) {
        this.context = context;
        this.states = context.getStateStore(StateStores.BATCH_STATE);
        this.members = context.getStateStore(StateStores.BATCH_MEMBERS);
    }

    @Override
    public void process(Record<String, BatchEvent> record) {
        BatchEvent event = record.value();
        String batchId = event.batchId();
        BatchState held = states.get(batchId);
        BatchLifecycle.Step step = BatchLifecycle.evolve(held, event, job -> members.get(memberKey(batchId, job)));
        step.members().forEach((job, member) -> members.put(memberKey(batchId, job), member));
        if (!Objects.equals(step.state(), held)) {
            states.put(batchId, step.state());
        }
        BatchChange change = step.change();
        if (change != null) {
            context.forward(new Record<>(batchId, change, record.timestamp(), CloudEventHeaders.of(
                    CloudEventHeaders.BATCH_STATUS_CHANGED_TYPE, batchId, change.version(), change.at())));
        }
    }
}
