package io.jobpulse.processors;

import io.jobpulse.events.BatchChange;
import io.jobpulse.events.BatchCounts;
import io.jobpulse.events.BatchEvent;
import io.jobpulse.events.BatchMember;
import io.jobpulse.events.BatchState;
import io.jobpulse.events.JobStatus;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The batch fold over random batches: several jobs, each with a history of changes (some retried),
 * and the batch's own events, delivered in any order with duplicates. Whatever the order, the batch
 * ends in the same aggregate and members, its counts are those of its members, and its visible
 * changes are numbered 1, 2, 3... each showing something new.
 */
class BatchLifecyclePropertiesTest {

    private static final JobStatus[] ENDINGS = {JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELED, JobStatus.EXPIRED};

    @Property(tries = 300)
    void anyOrderAndAnyDuplicatesEndInTheSameBatch(@ForAll long seed) {
        Random random = new Random(seed);
        List<BatchEvent> events = scenario(random);
        BatchEvents.Folded inOrder = BatchEvents.fold(events);

        BatchEvents.Folded shuffled = BatchEvents.fold(shuffledWithDuplicates(events, random));

        assertThat(BatchEvents.content(shuffled.state())).isEqualTo(BatchEvents.content(inOrder.state()));
        assertThat(shuffled.members()).isEqualTo(inOrder.members());
    }

    @Property(tries = 300)
    void theAggregateIsThatOfItsMembers(@ForAll long seed) {
        Random random = new Random(seed);
        BatchEvents.Folded folded = BatchEvents.fold(shuffledWithDuplicates(scenario(random), random));

        BatchCounts counts = BatchCounts.NONE;
        long units = 0;
        for (BatchMember member : folded.members().values()) {
            counts = counts.plus(member.status(), 1);
            units += member.progressUnits();
        }
        BatchState state = folded.state();
        assertThat(state.counts()).isEqualTo(counts);
        assertThat(state.total()).isEqualTo(folded.members().size());
        assertThat(state.progressUnits()).isEqualTo(units);
        assertThat(state.status()).isEqualTo(BatchLifecycle.status(counts, state.closedAt() != null, state.canceledAt() != null));
    }

    @Property(tries = 300)
    void versionsStepByOnePerVisibleChange(@ForAll long seed) {
        Random random = new Random(seed);
        List<BatchChange> changes = BatchEvents.fold(shuffledWithDuplicates(scenario(random), random)).changes();

        assertThat(changes.stream().map(BatchChange::version).toList())
                .containsExactlyElementsOf(LongStream.rangeClosed(1, changes.size()).boxed().toList());
        for (int i = 1; i < changes.size(); i++) {
            assertThat(BatchEvents.content(changes.get(i).batch())).isNotEqualTo(BatchEvents.content(changes.get(i - 1).batch()));
            assertThat(changes.get(i).previousStatus()).isEqualTo(changes.get(i - 1).status());
        }
    }

    /** An opened batch of one to five jobs, some added explicitly, maybe closed, maybe canceled. */
    private static List<BatchEvent> scenario(Random random) {
        BatchEvents batch = new BatchEvents("b");
        List<BatchEvent> events = new ArrayList<>(List.of(batch.opened()));
        int jobs = 1 + random.nextInt(5);
        List<String> added = new ArrayList<>();
        for (int j = 0; j < jobs; j++) {
            String job = "j" + j;
            if (random.nextBoolean()) {
                added.add(job);
            }
            events.addAll(history(batch, job, random));
        }
        if (!added.isEmpty()) {
            events.add(batch.added(1, added.toArray(String[]::new)));
        }
        if (random.nextInt(3) > 0) {
            events.add(batch.closed(2 + random.nextInt(100)));
        }
        if (random.nextInt(4) == 0) {
            events.add(batch.canceled(2 + random.nextInt(100), random.nextBoolean() ? "stop" : null));
        }
        return events;
    }

    /** A job's changes: queued, maybe running with growing progress, maybe an end, maybe a retry and again. */
    private static List<BatchEvent> history(BatchEvents batch, String job, Random random) {
        List<BatchEvent> changes = new ArrayList<>();
        long version = 1;
        changes.add(batch.job(job, version++, JobStatus.QUEUED, 0));
        for (int attempt = 0; attempt < 1 + random.nextInt(2); attempt++) {
            if (attempt > 0) {
                changes.add(batch.job(job, version++, JobStatus.QUEUED, 0));
            }
            double progress = 0;
            for (int step = random.nextInt(4); step > 0; step--) {
                progress = Math.min(1, progress + random.nextDouble() / 2);
                changes.add(batch.job(job, version++, JobStatus.RUNNING, progress));
            }
            if (!random.nextBoolean()) {
                return changes;
            }
            JobStatus ending = ENDINGS[random.nextInt(ENDINGS.length)];
            changes.add(batch.job(job, version++, ending, ending == JobStatus.SUCCEEDED ? 1 : progress));
            if (ending == JobStatus.SUCCEEDED) {
                return changes;
            }
        }
        return changes;
    }

    private static List<BatchEvent> shuffledWithDuplicates(List<BatchEvent> events, Random random) {
        List<BatchEvent> delivered = new ArrayList<>(events);
        for (int i = random.nextInt(events.size() + 1); i > 0; i--) {
            delivered.add(events.get(random.nextInt(events.size())));
        }
        Collections.shuffle(delivered, random);
        return delivered;
    }
}
