package io.jobpulse.events;

/** Names of the Kafka settings every role's clients read. */
public final class KafkaSettings {

    /** The brokers, for every Kafka client of every role and for topic creation. */
    public static final String BOOTSTRAP_SERVERS = "kafka.bootstrap.servers";

    private KafkaSettings() {
    }
}
