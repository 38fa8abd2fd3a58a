package io.jobpulse.app;

import io.jobpulse.devstack.FreePorts;
import io.jobpulse.devstack.SecretFiles;
import io.jobpulse.devstack.SupervisedProcess;
import io.jobpulse.events.Roles;
import io.jobpulse.topology.TopologyConfiguration;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * The instances of {@code ./jobpulse dev --instances N}: N processes that each run {@code serve} with
 * every role, on dev's broker and database, on ports of their own behind dev's one address, to try on
 * one machine the shape a deployment scales to. Each runs on the java of this dev, with its class path
 * and JVM options (debugging agents aside), and gets
 * <ul>
 *   <li>the settings dev gives itself (broker, database, JWT secret, signing key, dev's users, the
 *       demo) from a file only its owner may read, {@code instances/settings.properties} under dev's
 *       data directory, since any user of the machine can read a command line;</li>
 *   <li>its own port, instance id ({@code dev-<i>}) and Streams state directory, the same at every
 *       restart, so that a restarted instance takes its partitions straight back (static membership)
 *       with its state where it left it.</li>
 * </ul>
 * Their output comes to dev's console after {@code [dev-<i>]}; one that exits is started again after
 * a pause ({@link SupervisedProcess}); when dev ends, however it ends, they end too ({@link EndWithDev}).
 * With the demo, only {@code dev-1} runs the pretend provider and submits demo jobs; every instance
 * knows the provider, so that its callbacks and polls are handled anywhere.
 */
final class DevInstances implements AutoCloseable {

    static final int MAX = 9;
    static final String EVERY_ROLE = "ingest,topology,projections,push,notifications";
    private static final Duration RESTART_PAUSE = Duration.ofSeconds(2);
    private static final Duration START_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);
    private static final Duration HEALTH_POLL = Duration.ofMillis(250);
    /** Options of this JVM that its instances must not repeat: a debugger's or profiler's agent would want the same port or file. */
    private static final List<String> AGENT_OPTIONS = List.of("-agentlib", "-agentpath", "-javaagent", "-Xrunjdwp", "-Xdebug");

    /** One instance: its id (also its consumer groups' instance id), port and Streams state directory. */
    record Instance(String id, int port, Path stateDir) {

        URI url() {
            return URI.create("http://localhost:" + port);
        }
    }

    private final List<Instance> instances;
    private final Path dir;
    private final Map<String, Object> settings;
    private final String[] args;
    private final List<SupervisedProcess> running = new CopyOnWriteArrayList<>();
    private boolean closed;

    private DevInstances(List<Instance> instances, Path dir, Map<String, Object> settings, String[] args) {
        this.instances = instances;
        this.dir = dir;
        this.settings = settings;
        this.args = args;
    }

    /**
     * Plans {@code count} instances on free ports other than {@code taken}, with their state under {@code stateDirs};
     * nothing runs yet.
     *
     * @param settings what every instance gets, as dev gives it to itself
     * @param args     the arguments of {@code serve}
     */
    static DevInstances plan(int count, Path home, Path stateDirs, Set<Integer> taken, Map<String, Object> settings, String[] args) {
        Set<Integer> used = new HashSet<>(taken);
        List<Instance> instances = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            int port = FreePorts.pick();
            while (!used.add(port)) {
                port = FreePorts.pick();
            }
            String id = "dev-" + i;
            instances.add(new Instance(id, port, stateDirs.resolve(id).toAbsolutePath()));
        }
        return new DevInstances(List.copyOf(instances), directory(home), Map.copyOf(settings), args);
    }

    /** Where the instances' settings and pid files are kept. */
    static Path directory(Path home) {
        return home.resolve("instances").toAbsolutePath();
    }

    List<Instance> instances() {
        return instances;
    }

    List<InetSocketAddress> addresses() {
        return instances.stream().map(instance -> new InetSocketAddress(InetAddress.getLoopbackAddress(), instance.port())).toList();
    }

    /** The pid of each instance's running process, by id. */
    Map<String, Long> pids() {
        return running.stream().collect(Collectors.toMap(SupervisedProcess::name, SupervisedProcess::pid, (a, b) -> a, LinkedHashMap::new));
    }

    /**
     * Starts every instance and returns once each answers {@code GET /health}; fails naming the first that exited
     * (its output is on the console) or did not answer in time.
     */
    void start(PrintStream console) throws IOException, InterruptedException {
        Path settingsFile = dir.resolve("settings.properties");
        SecretFiles.write(settingsFile, propertiesText(settings));
        for (Instance instance : instances) {
            synchronized (this) {
                // Stopped while starting (Ctrl-C): an instance started now would outlive the stop.
                if (closed) {
                    return;
                }
                running.add(SupervisedProcess.start(instance.id(), process(instance, settingsFile), dir.resolve(instance.id() + ".pid"),
                        console, RESTART_PAUSE));
            }
        }
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build()) {
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            for (int i = 0; i < instances.size(); i++) {
                awaitHealthy(http, instances.get(i), running.get(i), deadline);
            }
        }
    }

    private ProcessBuilder process(Instance instance, Path settingsFile) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(option -> AGENT_OPTIONS.stream().noneMatch(option::startsWith)).toList());
        command.add("-cp");
        command.add(Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(entry -> Path.of(entry).toAbsolutePath().toString()).collect(Collectors.joining(File.pathSeparator)));
        Map<String, String> own = new LinkedHashMap<>();
        own.put("micronaut.config.files", settingsFile.toString());
        own.put("micronaut.server.port", Integer.toString(instance.port()));
        // Every role in each, whatever JOBPULSE_ROLES says: an environment variable would outrank the settings file.
        own.put(Roles.PROPERTY, EVERY_ROLE);
        own.put("jobpulse.consumers.instance-id", instance.id());
        own.put(TopologyConfiguration.STATE_DIR, instance.stateDir().toString());
        own.put(EndWithDev.PROPERTY, "true");
        if (!instance.equals(instances.getFirst())) {
            own.put("jobpulse.demo.enabled", "false");
        }
        own.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add(Jobpulse.class.getName());
        command.add("serve");
        command.addAll(List.of(args));
        return new ProcessBuilder(command);
    }

    private void awaitHealthy(HttpClient http, Instance instance, SupervisedProcess process, long deadline) throws InterruptedException {
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + instance.port() + "/health"))
                .timeout(Duration.ofSeconds(2)).build();
        while (true) {
            if (process.exits() > 0) {
                throw new IllegalStateException(instance.id() + " exited while starting; its output is above, after [" + instance.id() + "]");
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(instance.id() + " did not answer " + health.uri() + " within "
                        + START_TIMEOUT.toMinutes() + " minutes; its output is above, after [" + instance.id() + "]");
            }
            try {
                if (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(HEALTH_POLL);
        }
    }

    /** The settings as a properties file: lists comma-separated, as Micronaut reads them. */
    private static String propertiesText(Map<String, Object> settings) {
        Properties properties = new Properties();
        settings.forEach((key, value) -> properties.setProperty(key,
                value instanceof List<?> list ? list.stream().map(String::valueOf).collect(Collectors.joining(",")) : String.valueOf(value)));
        StringWriter text = new StringWriter();
        try {
            properties.store(text, "What ./jobpulse dev gives each of its instances; written at each start");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    /** Stops every instance: SIGTERM to all at once, then each is waited for, and killed if it has not ended in time. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            running.forEach(SupervisedProcess::stop);
        }
        running.forEach(process -> process.close(STOP_GRACE));
    }
}
