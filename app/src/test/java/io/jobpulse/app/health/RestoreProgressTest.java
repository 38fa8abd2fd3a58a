package io.jobpulse.app.health;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RestoreProgressTest {

    private static final TopicPartition P0 = new TopicPartition("changelog", 0);
    private static final TopicPartition P1 = new TopicPartition("changelog", 1);

    @Test
    void sumsEachStoresPartitionsStillRestoringAndForgetsThoseThatEnded() {
        RestoreProgress progress = new RestoreProgress();
        progress.onRestoreStart(P0, "jobs", 100, 1100);
        progress.onRestoreStart(P1, "jobs", 0, 500);
        progress.onRestoreStart(P0, "deadlines", 0, 10);
        progress.onBatchRestored(P0, "jobs", 600, 500);
        progress.onBatchRestored(P1, "jobs", 100, 100);

        assertThat(progress.stores()).isEqualTo(Map.of(
                "jobs", Map.of("restored", 600L, "total", 1500L),
                "deadlines", Map.of("restored", 0L, "total", 10L)));

        progress.onRestoreEnd(P0, "deadlines", 10);
        progress.onRestoreSuspended(P1, "jobs", 100);
        assertThat(progress.stores()).isEqualTo(Map.of("jobs", Map.of("restored", 500L, "total", 1000L)));

        progress.onRestoreEnd(P0, "jobs", 1000);
        assertThat(progress.stores()).isEmpty();
    }
}
