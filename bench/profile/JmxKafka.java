import javax.management.*;
import javax.management.remote.*;
import java.util.*;

/**
 * Kafka Streams' and the Kafka clients' own latency metrics (commit, poll, process, produce
 * request, fetch) from a JVM started with remote JMX on 127.0.0.1:port, no authentication.
 *
 * Usage: java bench/profile/JmxKafka.java port
 */
public class JmxKafka {
    public static void main(String[] a) throws Exception {
        JMXConnector c = JMXConnectorFactory.connect(new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + a[0] + "/jmxrmi"));
        MBeanServerConnection s = c.getMBeanServerConnection();
        String[][] q = {
            {"kafka.streams:type=stream-thread-metrics,*", "commit-latency-avg,commit-latency-max,commit-rate,poll-latency-avg,poll-latency-max,poll-rate,process-latency-avg,process-latency-max,process-rate,poll-records-avg,punctuate-latency-avg"},
            {"kafka.producer:type=producer-metrics,*", "request-latency-avg,request-latency-max,record-send-rate,batch-size-avg,records-per-request-avg,txn-commit-time-ns-total,txn-send-offsets-time-ns-total,flush-time-ns-total,record-queue-time-avg,record-queue-time-max"},
            {"kafka.consumer:type=consumer-fetch-manager-metrics,*", "fetch-latency-avg,fetch-latency-max,fetch-rate,records-per-request-avg,records-lag-max"},
        };
        for (String[] e : q) {
            for (ObjectName n : new TreeSet<>(s.queryNames(new ObjectName(e[0]), null))) {
                if (n.getKeyProperty("topic") != null || n.getKeyProperty("partition") != null) continue;
                StringBuilder b = new StringBuilder(n.getKeyProperty("type") + " " + n.getKeyProperty(n.getKeyProperty("thread-id") != null ? "thread-id" : "client-id") + ":");
                for (String attr : e[1].split(",")) {
                    try {
                        Object v = s.getAttribute(n, attr);
                        if (v instanceof Double d && !d.isNaN()) b.append(String.format(" %s=%.2f", attr, d));
                    } catch (Exception ignored) { }
                }
                System.out.println(b);
            }
        }
        c.close();
    }
}
