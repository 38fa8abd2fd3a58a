import java.nio.file.Path;
import java.util.*;
import jdk.jfr.consumer.*;
/**
 * A Flight Recording's CPU samples (jdk.ExecutionSample) by thread group: which part of the one
 * dev process (HTTP, broker, Streams, projections, push) used the CPU.
 *
 * Usage: java bench/profile/JfrThreads.java recording.jfr
 */
public class JfrThreads {
    public static void main(String[] a) throws Exception {
        Map<String, Integer> byThread = new TreeMap<>(); int n = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(a[0]))) {
            if (!e.getEventType().getName().equals("jdk.ExecutionSample")) continue;
            String t = String.valueOf(e.getThread("sampledThread").getJavaName());
            String g = t.contains("StreamThread") && t.contains("producer") ? "Streams producer I/O"
                : t.contains("StreamThread") ? "Streams thread"
                : t.contains("eventLoop") ? "HTTP event loop (Netty)"
                : t.startsWith("virtual-executor") ? "HTTP controllers (virtual threads)"
                : t.startsWith("pool-") ? "projections (Kafka listeners, PostgreSQL)"
                : t.contains("jobpulse-ingest") ? "ingest producer I/O"
                : t.startsWith("data-plane") || t.startsWith("group-coordinator") || t.startsWith("Txn") || t.startsWith("AddPartitions")
                  || t.startsWith("kafka-") || t.startsWith("quorum") || t.startsWith("broker-") || t.startsWith("executor-") ? "embedded Kafka broker"
                : t.contains("push-feed") ? "push feed" : "other: " + t.replaceAll("\\d+", "N");
            byThread.merge(g, 1, Integer::sum); n++;
        }
        final int total = n;
        System.out.println("samples " + n);
        byThread.entrySet().stream().sorted((x, y) -> y.getValue() - x.getValue()).limit(14)
            .forEach(en -> System.out.printf("%5.1f%% %s%n", 100.0 * en.getValue() / total, en.getKey()));
    }
}
