package io.jobpulse.devstack;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The dev stack keeps its data across restarts and cleans up what a killed JVM left running. */
class DevStackRestartTest {

    @Test
    void kafkaKeepsTopicsAndRecordsAcrossRestart(@TempDir Path dir) throws Exception {
        String clusterId;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, 0, 0, Map.of())) {
            clusterId = kafka.clusterId();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic("kept", 1, (short) 1))).all().get();
            }
            try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers(), "acks", "all"),
                    new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>("kept", "k", "survives a restart")).get();
            }
        }

        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, 0, 0, Map.of());
             var consumer = new KafkaConsumer<>(Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers()),
                     new StringDeserializer(), new StringDeserializer())) {
            assertThat(kafka.clusterId()).isEqualTo(clusterId);
            TopicPartition partition = new TopicPartition("kept", 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            List<String> values = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (values.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
            }
            assertThat(values).containsExactly("survives a restart");
        }
    }

    @Test
    void postgresLeftRunningByAKilledJvmIsStoppedAndItsDataKept(@TempDir Path dir) throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), PostgresInChildJvm.class.getName(), dir.resolve("postgres").toString())
                .redirectErrorStream(true)
                .start();
        long postmaster;
        try (var output = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = output.readLine()) != null && !line.startsWith("READY ")) {
                // start-up logging of the child
            }
            assertThat(line).as("the child JVM started PostgreSQL").isNotNull();
            postmaster = Long.parseLong(line.substring("READY ".length()).trim());
        }
        child.destroyForcibly().waitFor();
        assertThat(ProcessHandle.of(postmaster).map(ProcessHandle::isAlive)).as("PostgreSQL outlived its JVM").hasValue(true);

        try (EmbeddedPostgresServer restarted = EmbeddedPostgresServer.start(dir.resolve("postgres"), 0, false);
             Connection db = DriverManager.getConnection(restarted.jdbcUrl(), EmbeddedPostgresServer.USER, restarted.password());
             Statement sql = db.createStatement();
             ResultSet rows = sql.executeQuery("SELECT v FROM kept")) {
            assertThat(ProcessHandle.of(postmaster).map(ProcessHandle::isAlive).orElse(false))
                    .as("the server left running was stopped").isFalse();
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1)).isEqualTo("survives a restart");
        }
    }
}
