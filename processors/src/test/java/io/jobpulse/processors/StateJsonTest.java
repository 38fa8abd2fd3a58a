package io.jobpulse.processors;

import io.jobpulse.events.JobEvent;
import io.jobpulse.events.JobJson;
import io.jobpulse.events.JobState;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shortcuts of the fold's serialisation ({@link StateJson}) and of the states a task keeps
 * decoded ({@link RecentStates}) change nothing, over random logs read as the topology reads them
 * (each event decoded from its JSON).
 */
class StateJsonTest {

    @Property(tries = 300)
    void aStateKeptDecodedFoldsExactlyAsTheStateReadBackFromTheStore(@ForAll("logs") List<JobEvent> log) {
        Map<String, JobState> kept = new HashMap<>();
        Map<String, JobState> stored = new HashMap<>();
        for (JobEvent written : log) {
            JobEvent event = JobJson.read(JobJson.write(written), JobEvent.class);
            Outcome fromKept = JobLifecycle.evolve(kept.get(event.jobId()), event);
            Outcome fromStored = JobLifecycle.evolve(stored.get(event.jobId()), event);
            assertThat(fromKept).isEqualTo(fromStored);
            if (fromKept instanceof Outcome.Applied applied) {
                kept.put(event.jobId(), applied.state());
                JobState readBack = JobJson.read(StateJson.write(applied.state()), JobState.class);
                assertThat(readBack).isEqualTo(applied.state());
                stored.put(event.jobId(), readBack);
            }
        }
    }

    @Property(tries = 300)
    void theBytesAndSizesAreJobJsonsOwn(@ForAll("logs") List<JobEvent> log) {
        Map<String, JobState> states = new HashMap<>();
        for (JobEvent event : log) {
            if (JobLifecycle.evolve(states.get(event.jobId()), event) instanceof Outcome.Applied applied) {
                states.put(event.jobId(), applied.state());
                assertThat(StateJson.write(applied.state())).isEqualTo(JobJson.write(applied.state()));
                assertThat(StateJson.changeSize(applied.change())).isEqualTo(JobJson.write(applied.change()).length);
                // Asked again for the same state, after another value was written.
                JobJson.write(event);
                assertThat(StateJson.write(applied.state())).isEqualTo(JobJson.write(applied.state()));
            }
        }
    }

    @Property(tries = 100)
    void recentStatesKeepTheLastWrittenAndFallBackToTheStore(@ForAll("logs") List<JobEvent> log) {
        Map<String, JobState> store = new HashMap<>();
        RecentStates recent = new RecentStates(2);
        for (JobEvent event : log) {
            JobState before = recent.get(event.jobId(), store::get);
            assertThat(before).isEqualTo(store.get(event.jobId()));
            if (JobLifecycle.evolve(before, event) instanceof Outcome.Applied applied) {
                store.put(event.jobId(), applied.state());
                recent.put(event.jobId(), applied.state());
            }
        }
    }

    @Provide
    Arbitrary<List<JobEvent>> logs() {
        return JobLogs.logs();
    }
}
