package io.jobpulse.app.status;

import io.jobpulse.app.Deployment;
import io.jobpulse.app.JobpulseGroups;
import io.jobpulse.consumers.ConsumerGroupLag;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

import java.io.PrintStream;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code jobpulse status}: the deployment at a glance, from Kafka and from the instances it finds there. Kafka's
 * admin API gives every Jobpulse consumer group ({@link JobpulseGroups}) with its state, its members and its lag
 * per topic (from committed offsets, so right whether or not the group has members). The topology's members
 * name their instance's HTTP address in their client id ({@code jobpulse-topology@host:port}, the Streams
 * {@code application.server}), and each such instance's {@code /prometheus} tells its roles, its id and its Kafka
 * Streams applications' state, tasks and stores being restored. An instance without the topology role is seen
 * only as the host of its groups' members.
 */
public final class StatusCommand {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final Pattern ADDRESS = Pattern.compile("@([^@\\s]+:\\d+)-StreamThread");

    private StatusCommand() {
    }

    public static void run(String[] args, Deployment deployment, Map<String, String> env, PrintStream out) {
        if (args.length > 0) {
            throw new IllegalArgumentException("usage: jobpulse status (it takes no arguments; see ./jobpulse help)");
        }
        String cluster = deployment.requireKafka();
        List<JobpulseGroups.Group> groups = JobpulseGroups.of(env);
        Map<String, Object> config = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, deployment.bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        Map<String, ConsumerGroupDescription> described = new LinkedHashMap<>();
        Map<String, Map<String, Long>> lags;
        try (Admin admin = Admin.create(config)) {
            var descriptions = admin.describeConsumerGroups(groups.stream().map(JobpulseGroups.Group::id).toList()).describedGroups();
            for (var description : descriptions.entrySet()) {
                try {
                    described.put(description.getKey(), description.getValue().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof GroupIdNotFoundException)) {
                        throw e;
                    }
                }
            }
            lags = ConsumerGroupLag.read(admin, groups.stream().filter(JobpulseGroups.Group::keepsOffsets)
                    .map(g -> new ConsumerGroupLag.Group(g.id(), g.topics(), g.fromEarliest())).toList(), TIMEOUT);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Kafka at " + deployment.bootstrapServers() + " did not describe the consumer groups: "
                    + (e.getCause() == null ? e : e.getCause()).getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        String token = env.get("JOBPULSE_TOKEN");
        List<InstanceMetrics> instances = instances(described.values(), token != null ? token : deployment.devAdminToken(env).orElse(null));
        out.println("Kafka " + deployment.bootstrapServers() + " (cluster " + cluster + ")");
        out.println();
        printInstances(instances, out);
        out.println();
        printGroups(groups, described, lags, instances, out);
        out.println();
        printStreams(instances, out);
    }

    /** Every instance whose HTTP address a group member names, scraped (in parallel: one slow instance costs its timeout once). */
    private static List<InstanceMetrics> instances(Iterable<ConsumerGroupDescription> groups, String token) {
        TreeSet<String> addresses = new TreeSet<>();
        for (ConsumerGroupDescription group : groups) {
            for (MemberDescription member : group.members()) {
                address(member).ifPresent(addresses::add);
            }
        }
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
            List<CompletableFuture<InstanceMetrics>> scraped = addresses.stream()
                    .map(address -> CompletableFuture.supplyAsync(() ->
                            InstanceMetrics.scrape(http, address, token, Duration.ofSeconds(3))))
                    .toList();
            return scraped.stream().map(CompletableFuture::join).sorted(Comparator.comparing(StatusCommand::label)).toList();
        }
    }

    private static Optional<String> address(MemberDescription member) {
        Matcher matcher = ADDRESS.matcher(member.clientId());
        return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
    }

    private static String label(InstanceMetrics instance) {
        String id = instance.info("instance_id");
        return id.isEmpty() ? instance.address() : id;
    }

    /** Which instance a member is: by the address in its client id, else by its static id's prefix, else its host. */
    private static String member(MemberDescription member, List<InstanceMetrics> instances) {
        Optional<String> address = address(member);
        if (address.isPresent()) {
            return instances.stream().filter(i -> i.address().equals(address.get())).map(StatusCommand::label).findFirst().orElse(address.get());
        }
        String staticId = member.groupInstanceId().orElse("");
        for (InstanceMetrics instance : instances) {
            String id = instance.info("instance_id");
            if (!id.isEmpty() && staticId.startsWith(id + ".")) {
                return id;
            }
        }
        return staticId.isEmpty() ? member.host().replaceFirst("^/", "") : staticId;
    }

    private static void printInstances(List<InstanceMetrics> instances, PrintStream out) {
        out.println("INSTANCES (found through the topology group's members)");
        if (instances.isEmpty()) {
            out.println("  none: no topology instance is a member of its group (none runs, or none advertises its HTTP address)");
            return;
        }
        TextTable table = new TextTable("INSTANCE", "HTTP", "ROLES", "ANSWERS");
        for (InstanceMetrics instance : instances) {
            table.row(label(instance), instance.address(), instance.samples().isEmpty() ? "?" : instance.info("roles"), instance.answer());
        }
        table.print(out);
    }

    private static void printGroups(List<JobpulseGroups.Group> groups, Map<String, ConsumerGroupDescription> described,
                                    Map<String, Map<String, Long>> lags, List<InstanceMetrics> instances, PrintStream out) {
        out.println("CONSUMER GROUPS (lag: records not yet committed, from the broker)");
        TextTable table = new TextTable("GROUP", "ROLE", "STATE", "MEMBERS", "TOPIC", "LAG");
        for (JobpulseGroups.Group group : groups) {
            ConsumerGroupDescription description = described.get(group.id());
            String state = description == null ? "none" : description.groupState().toString().toLowerCase(Locale.ROOT);
            TreeSet<String> members = new TreeSet<>();
            int count = 0;
            if (description != null) {
                for (MemberDescription member : description.members()) {
                    members.add(member(member, instances));
                    count++;
                }
            }
            String who = count == 0 ? "0" : count + " (" + String.join(", ", members) + ")";
            Map<String, Long> byTopic = lags.getOrDefault(group.id(), Map.of());
            List<String> topics = new ArrayList<>(group.topics());
            byTopic.keySet().stream().filter(t -> !topics.contains(t)).forEach(topics::add);
            boolean first = true;
            for (String topic : topics) {
                String lag = !group.keepsOffsets() ? "- (keeps no offsets)"
                        : byTopic.containsKey(topic) ? String.format(Locale.ROOT, "%,d", byTopic.get(topic)) : "- (no topic)";
                table.row(first ? group.id() : "", first ? group.role() : "", first ? state : "", first ? who : "", topic, lag);
                first = false;
            }
        }
        table.print(out);
    }

    private static void printStreams(List<InstanceMetrics> instances, PrintStream out) {
        out.println("KAFKA STREAMS (per instance: state, tasks, and each store: ready, or restoring and how far)");
        TextTable table = new TextTable("APPLICATION", "INSTANCE", "STATE", "ACTIVE", "STANDBY", "STORE", "STORE STATE");
        boolean any = false;
        for (InstanceMetrics instance : instances) {
            Map<String, String> states = new TreeMap<>();
            instance.find("jobpulse_streams_state", Map.of()).stream().filter(s -> s.value() == 1)
                    .forEach(s -> states.put(s.labels().get("application"), s.labels().get("state")));
            for (Map.Entry<String, String> application : states.entrySet()) {
                Map<String, String> app = Map.of("application", application.getKey());
                TreeSet<String> stores = new TreeSet<>();
                instance.find("jobpulse_streams_store_restore_size", app).forEach(s -> stores.add(s.labels().get("store")));
                boolean first = true;
                for (String store : stores.isEmpty() ? List.of("") : stores) {
                    table.row(first ? application.getKey() : "", first ? label(instance) : "", first ? application.getValue() : "",
                            first ? count(instance, app, "active") : "", first ? count(instance, app, "standby") : "", store,
                            store.isEmpty() ? "" : storeState(instance, application.getKey(), store));
                    first = false;
                    any = true;
                }
            }
        }
        if (any) {
            table.print(out);
        } else {
            out.println("  no instance told its Kafka Streams state");
        }
    }

    private static String count(InstanceMetrics instance, Map<String, String> application, String kind) {
        Map<String, String> labels = new LinkedHashMap<>(application);
        labels.put("kind", kind);
        return Long.toString((long) instance.value("jobpulse_streams_tasks", labels));
    }

    private static String storeState(InstanceMetrics instance, String application, String store) {
        Map<String, String> labels = Map.of("application", application, "store", store);
        long partitions = (long) instance.value("jobpulse_streams_store_restoring_partitions", labels);
        if (partitions == 0) {
            return "ready";
        }
        long size = (long) instance.value("jobpulse_streams_store_restore_size", labels);
        long remaining = (long) instance.value("jobpulse_streams_store_restore_remaining", labels);
        long percent = size == 0 ? 100 : (size - remaining) * 100 / size;
        return String.format(Locale.ROOT, "restoring %d partition%s: %,d of %,d records (%d%%)", partitions, partitions == 1 ? "" : "s",
                size - remaining, size, percent);
    }
}
