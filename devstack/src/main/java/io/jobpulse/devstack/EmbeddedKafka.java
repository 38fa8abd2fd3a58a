package io.jobpulse.devstack;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A real single-node Kafka broker (KRaft, broker and controller combined) running inside this
 * JVM, so it cannot outlive it. Its data directory is formatted on first use and reused after,
 * so topics and offsets survive restarts.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final String CONTROLLER_LISTENER = "CONTROLLER";

    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private final String clusterId;

    private EmbeddedKafka(KafkaRaftServer server, String bootstrapServers, String clusterId) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.clusterId = clusterId;
    }

    /**
     * Starts a broker on 127.0.0.1.
     *
     * @param dataDir        where the log lives; formatted if new
     * @param port           the client port (0 picks a free one)
     * @param controllerPort the KRaft controller port (0 picks a free one)
     * @param overrides      further broker properties
     */
    public static EmbeddedKafka start(Path dataDir, int port, int controllerPort, Map<String, String> overrides) throws Exception {
        int brokerPort = port == 0 ? FreePorts.pick() : FreePorts.require(port, "Kafka");
        int quorumPort = controllerPort == 0 ? FreePorts.pick() : FreePorts.require(controllerPort, "the Kafka controller");
        Path logDir = dataDir.toAbsolutePath().resolve("log");
        Files.createDirectories(logDir);

        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.voters", "1@127.0.0.1:" + quorumPort);
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + "," + CONTROLLER_LISTENER + "://127.0.0.1:" + quorumPort);
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        props.put("controller.listener.names", CONTROLLER_LISTENER);
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        props.put("log.dirs", logDir.toString());
        // One node: every internal topic has one replica, and nothing waits for others.
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "5");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "5");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("auto.create.topics.enable", "false");
        // After a kill, the new broker waits for its previous registration's session to lapse;
        // on one node nobody else needs the default's tolerance, so keep that wait short.
        props.put("broker.session.timeout.ms", "3000");
        props.put("broker.heartbeat.interval.ms", "500");
        props.putAll(overrides);

        String clusterId = formatIfNew(logDir);
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        server.startup();
        String bootstrap = "127.0.0.1:" + brokerPort;
        LOG.info("Kafka broker {} (cluster {}) up, data in {}", bootstrap, clusterId, dataDir);
        return new EmbeddedKafka(server, bootstrap, clusterId);
    }

    /** Formats the log directory on first use; returns the cluster id either way. */
    private static String formatIfNew(Path logDir) throws Exception {
        Path meta = logDir.resolve("meta.properties");
        if (Files.exists(meta)) {
            Properties existing = new Properties();
            try (var in = Files.newInputStream(meta)) {
                existing.load(in);
            }
            return existing.getProperty("cluster.id");
        }
        String clusterId = Uuid.randomUuid().toString();
        new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                .setClusterId(clusterId)
                .setNodeId(1)
                .setDirectories(List.of(logDir.toString()))
                .setMetadataLogDirectory(logDir.toString())
                .setControllerListenerName(CONTROLLER_LISTENER)
                .setReleaseVersion(MetadataVersion.latestProduction())
                .run();
        return clusterId;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The id of the cluster, fixed when its data directory was formatted. */
    public String clusterId() {
        return clusterId;
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }
}
