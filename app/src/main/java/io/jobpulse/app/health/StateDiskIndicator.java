package io.jobpulse.app.health;

import io.micronaut.context.annotation.Property;
import io.jobpulse.events.Roles;
import io.micronaut.context.annotation.Requires;
import io.micronaut.management.health.indicator.HealthResult;
import jakarta.inject.Singleton;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Readiness: the disk of the Kafka Streams state directory ({@code jobpulse.topology.state-dir}) has at least
 * {@code jobpulse.health.disk-min-free-mb} free. Only on instances that keep Streams state (topology, notifications):
 * a full disk stops the stores' writes, and with them the topology.
 */
@Singleton
@Requires(property = Roles.PROPERTY, pattern = "(.*,)?\\s*(topology|notifications)\\s*(,.*)?")
public class StateDiskIndicator extends DeadlineIndicator {

    private static final long MIB = 1024 * 1024;

    private final Path stateDir;
    private final long minFree;

    public StateDiskIndicator(@Property(name = "jobpulse.topology.state-dir") String stateDir, HealthConfiguration config) {
        super("disk", config);
        this.stateDir = Path.of(stateDir).toAbsolutePath();
        this.minFree = config.diskMinFreeMb() * MIB;
    }

    @Override
    protected HealthResult check() throws Exception {
        Path existing = stateDir;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return down(Map.of("error", "no part of the state directory's path exists"));
        }
        long free = Files.getFileStore(existing).getUsableSpace();
        Map<String, Object> details = Map.of("freeMb", free / MIB, "thresholdMb", minFree / MIB);
        return free >= minFree ? up(details) : down(details);
    }
}
