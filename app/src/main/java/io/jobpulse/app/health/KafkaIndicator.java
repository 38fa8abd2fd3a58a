package io.jobpulse.app.health;

import io.jobpulse.events.KafkaSettings;
import io.micronaut.context.annotation.Property;
import io.micronaut.management.health.indicator.HealthResult;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Readiness: a broker of the bootstrap servers answers a request (the cluster's description), as every role's producer
 * and consumers need. One admin client for the instance's life, so a check is one request, not a new connection.
 */
@Singleton
public class KafkaIndicator extends DeadlineIndicator {

    private final Admin admin;
    private final int timeoutMs;

    public KafkaIndicator(@Property(name = KafkaSettings.BOOTSTRAP_SERVERS) String bootstrapServers, HealthConfiguration config) {
        super("kafka", config);
        // A little longer than the deadline: a late answer still refreshes the result the next probe gets.
        this.timeoutMs = (int) Math.max(1000, config.timeout().toMillis() * 2);
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.CLIENT_ID_CONFIG, "jobpulse-health",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs));
    }

    @Override
    protected HealthResult check() throws Exception {
        DescribeClusterResult cluster = admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMs));
        int brokers = cluster.nodes().get(timeoutMs, TimeUnit.MILLISECONDS).size();
        return up(Map.of("brokers", brokers));
    }

    @PreDestroy
    void close() {
        admin.close(Duration.ofSeconds(1));
    }
}
