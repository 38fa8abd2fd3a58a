package io.jobpulse.consumers;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ConsumerWorkerTest {

    private static final TopicPartition PARTITION = new TopicPartition("jobs", 0);

    @Test
    void aBatchWhoseHandlingFailsIsHandledAgainAndTheWorkerGoesOn() throws Exception {
        MockConsumer<String, byte[]> mock = new MockConsumer<>("earliest");
        List<Long> handled = new CopyOnWriteArrayList<>();
        AtomicInteger failuresLeft = new AtomicInteger(1);
        ConsumerWorker worker = new ConsumerWorker("test-worker", mock) {
            @Override
            protected void subscribe() {
                mock.assign(List.of(PARTITION));
                mock.updateBeginningOffsets(Map.of(PARTITION, 0L));
                mock.seekToBeginning(List.of(PARTITION));
            }

            @Override
            protected void handle(ConsumerRecords<String, byte[]> records) {
                if (!records.isEmpty() && failuresLeft.getAndDecrement() > 0) {
                    throw new IllegalStateException("the event log did not acknowledge");
                }
                records.forEach(record -> handled.add(record.offset()));
            }
        };
        List<ConsumerRecord<String, byte[]>> log = new CopyOnWriteArrayList<>(List.of(
                new ConsumerRecord<>("jobs", 0, 0, "a", new byte[0]), new ConsumerRecord<>("jobs", 0, 1, "b", new byte[0])));
        // The broker: before each poll, what the log holds from the consumer's position on.
        mock.schedulePollTask(new Runnable() {
            @Override
            public void run() {
                if (mock.assignment().contains(PARTITION)) {
                    long position = mock.position(PARTITION);
                    log.stream().filter(record -> record.offset() >= position).forEach(mock::addRecord);
                }
                mock.schedulePollTask(this);
            }
        });
        worker.onApplicationEvent(null);
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> handled.size() >= 2);

            assertThat(handled).containsExactly(0L, 1L);
            log.add(new ConsumerRecord<>("jobs", 0, 2, "c", new byte[0]));
            await().atMost(Duration.ofSeconds(10)).until(() -> handled.contains(2L));
        } finally {
            worker.stop();
        }
    }
}
