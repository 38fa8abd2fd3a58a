package io.jobpulse.app.health;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How far a Streams client has restored the stores it is restoring from their changelogs: per store, the records
 * restored so far and the records to restore, summed over the partitions still being restored. A partition leaves the
 * count when its restore ends or is suspended (its task moved away).
 */
final class RestoreProgress implements StateRestoreListener {

    private record Key(String store, TopicPartition partition) {
    }

    private static final class Count {
        volatile long restored;
        final long total;

        Count(long total) {
            this.total = total;
        }
    }

    private final Map<Key, Count> restoring = new ConcurrentHashMap<>();

    @Override
    public void onRestoreStart(TopicPartition partition, String store, long startingOffset, long endingOffset) {
        restoring.put(new Key(store, partition), new Count(Math.max(0, endingOffset - startingOffset)));
    }

    @Override
    public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long numRestored) {
        Count count = restoring.get(new Key(store, partition));
        if (count != null) {
            count.restored += numRestored;
        }
    }

    @Override
    public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {
        restoring.remove(new Key(store, partition));
    }

    @Override
    public void onRestoreSuspended(TopicPartition partition, String store, long totalRestored) {
        restoring.remove(new Key(store, partition));
    }

    /** Per store being restored: {@code restored} and {@code total} records; empty when nothing is restoring. */
    Map<String, Map<String, Long>> stores() {
        Map<String, long[]> sums = new TreeMap<>();
        restoring.forEach((key, count) -> {
            long[] sum = sums.computeIfAbsent(key.store(), s -> new long[2]);
            sum[0] += count.restored;
            sum[1] += count.total;
        });
        Map<String, Map<String, Long>> stores = new TreeMap<>();
        sums.forEach((store, sum) -> stores.put(store, Map.of("restored", sum[0], "total", sum[1])));
        return stores;
    }
}
