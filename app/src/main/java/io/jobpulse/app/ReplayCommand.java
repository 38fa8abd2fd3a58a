package io.jobpulse.app;

import io.jobpulse.events.JobLimits;
import io.jobpulse.events.KafkaSettings;
import io.jobpulse.events.Roles;
import io.jobpulse.projections.ProjectionRebuild;
import io.jobpulse.topology.TopologyRuntime;
import io.jobpulse.topology.TopologyConfiguration;
import io.jobpulse.topology.TopologyReplay;
import io.micronaut.context.ApplicationContext;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code jobpulse replay projections [--force]}: rebuilds the read model from
 * {@code jobpulse.job-status} while the live one serves, then swaps ({@link ProjectionRebuild}).
 * {@code jobpulse replay topology}: rebuilds the topology's state stores from
 * {@code jobpulse.job-events} and checks them against the previous ones ({@link TopologyReplay});
 * every topology instance must be stopped first.
 * Both work on the {@link Deployment} the environment names (the running {@code ./jobpulse dev} by default).
 */
final class ReplayCommand {

    private static final String USAGE = "usage: jobpulse replay projections [--force] | jobpulse replay topology";

    private ReplayCommand() {
    }

    static void run(String[] args, Deployment deployment, PrintStream out) {
        if (args.length == 0) {
            throw new IllegalArgumentException(USAGE);
        }
        List<String> options = List.of(args).subList(1, args.length);
        switch (args[0]) {
            case "projections" -> {
                if (!options.stream().allMatch("--force"::equals)) {
                    throw new IllegalArgumentException(USAGE);
                }
                deployment.requireKafka();
                deployment.requirePostgres();
                Deployment.quietContextStartLog();
                projections(deployment.properties(), options.contains("--force"), out);
            }
            case "topology" -> {
                if (!options.isEmpty()) {
                    throw new IllegalArgumentException(USAGE);
                }
                String clusterId = deployment.requireKafka();
                deployment.requirePostgres();
                Deployment.quietContextStartLog();
                Map<String, Object> properties = deployment.properties();
                // The replay rebuilds in the state directory of the instance it stands in for, dev's when it is dev's
                // broker: it wipes the old state and leaves the rebuilt state with checkpoints of the rebuilt
                // changelogs, so the next start of that instance goes on from them quietly, instead of finding
                // checkpoints beyond the recreated changelogs (an OffsetOutOfRangeException per store partition).
                deployment.devStateDir(clusterId).ifPresent(dir -> properties.put(TopologyConfiguration.STATE_DIR, dir.toString()));
                topology(properties, out);
            }
            default -> throw new IllegalArgumentException(USAGE);
        }
    }

    private static void topology(Map<String, Object> properties, PrintStream out) {
        Map<String, Object> props = new HashMap<>(properties);
        props.put(Roles.PROPERTY, "topology");
        props.put(TopologyRuntime.ENABLED, "false");
        try (ApplicationContext context = ApplicationContext.run(props)) {
            out.println("rebuilding the topology's state from jobpulse.job-events...");
            TopologyReplay.Report report;
            try {
                report = TopologyReplay.run(context.getBean(TopologyConfiguration.class),
                        context.getRequiredProperty(KafkaSettings.BOOTSTRAP_SERVERS, String.class), context.getBean(JobLimits.class));
            } catch (TopologyReplay.TopologyRunning e) {
                throw new IllegalStateException(e.getMessage() + " (beside ./jobpulse dev, which runs it in its own process: restart dev"
                        + " without it for the replay, JOBPULSE_ROLES=ingest,projections,push ./jobpulse dev)");
            }
            out.printf("replayed %d events in %.1f s (%.1f s of it folding): %d jobs before, %d rebuilt%n", report.events(),
                    report.took().toMillis() / 1000.0, report.folding().toMillis() / 1000.0, report.previous(), report.rebuilt());
            out.println(report.identical() ? "every rebuilt state equals the previous one"
                    : report.differences() + " jobs differ from before, e.g. " + report.different());
        }
    }

    private static void projections(Map<String, Object> properties, boolean force, PrintStream out) {
        Map<String, Object> props = new HashMap<>(properties);
        props.put(Roles.PROPERTY, "projections");
        props.put(ProjectionRebuild.PROJECTORS_ENABLED, "false");
        try (ApplicationContext context = ApplicationContext.run(props)) {
            out.println("rebuilding the read model from jobpulse.job-status...");
            ProjectionRebuild.Report report = context.getBean(ProjectionRebuild.class).run(force);
            out.printf("read %d records in %.1f s: %d jobs, %d changes%n", report.records(),
                    report.took().toMillis() / 1000.0, report.jobs(), report.changes());
            out.printf("checksum (jobs/changes, count:md5) rebuilt %s%n", report.rebuilt());
            out.printf("                                   live    %s%n", report.live());
            out.println(report.matches() ? "rebuilt and live are identical"
                    : "rebuilt and live differ (the live projector lagged, or the live tables had drifted)");
            if (report.swapped()) {
                out.println("swapped: the rebuilt tables are live");
            } else {
                out.printf("NOT swapped: the live read model has %d jobs that jobpulse.job-status no longer holds "
                        + "(past its retention); run with --force to drop them%n", report.missingJobs());
            }
        }
    }
}
