package io.jobpulse.app;

import io.micronaut.configuration.kafka.metrics.AbstractKafkaMetricsReporter;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.metrics.KafkaMetric;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The metrics of Micronaut's Kafka consumers and producers, at client level only. Kafka gives several metrics the
 * same name at client level and per topic, partition or broker connection, with more tags (say
 * {@code request-total} with {@code client-id}, and again with {@code client-id} and {@code node-id}); Prometheus
 * holds one set of labels per name, so the registry refused whichever came second, with a warning at every start.
 * This reporter (named in {@code metric.reporters}, application.yml, for consumers and producers) passes on the
 * client-level metrics alone, named as Micronaut's own reporters name them ({@code kafka.consumer.*},
 * {@code kafka.producer.*}).
 */
public final class ClientLevelKafkaMetrics extends AbstractKafkaMetricsReporter {

    private static final Set<String> FINER_TAGS = Set.of("topic", "partition", "node-id");

    private String prefix = "kafka.producer";

    @Override
    public void configure(Map<String, ?> configs) {
        if (configs.containsKey(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG)) {
            prefix = "kafka.consumer";
        }
        super.configure(configs);
    }

    @Override
    protected String getMetricPrefix() {
        return prefix;
    }

    @Override
    public void init(List<KafkaMetric> metrics) {
        // A mutable list: the reporter clears it when it closes.
        super.init(metrics.stream().filter(ClientLevelKafkaMetrics::clientLevel).collect(Collectors.toCollection(ArrayList::new)));
    }

    @Override
    public void metricChange(KafkaMetric metric) {
        if (clientLevel(metric)) {
            super.metricChange(metric);
        }
    }

    private static boolean clientLevel(KafkaMetric metric) {
        return metric.metricName().tags().keySet().stream().noneMatch(FINER_TAGS::contains);
    }
}
