import java.nio.file.Path;
import java.util.*;
import java.util.regex.Pattern;
import jdk.jfr.consumer.*;

/**
 * The hottest methods of a Flight Recording's CPU samples on the threads whose name matches a
 * pattern: by self time (the sampled frame) and inclusive (anywhere on the stack), each as a share
 * of those threads' samples; and their socket reads (time waiting for a peer such as PostgreSQL) by
 * the first frame under a given prefix.
 *
 * Usage: java bench/profile/JfrTop.java recording.jfr threadRegex top [readPrefix]
 */
public class JfrTop {
    public static void main(String[] a) throws Exception {
        Pattern thread = Pattern.compile(a[1]);
        int top = Integer.parseInt(a[2]);
        String readPrefix = a.length > 3 ? a[3] : "io.jobpulse";
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> inclusive = new HashMap<>();
        Map<String, double[]> reads = new HashMap<>();
        int samples = 0;
        double readSeconds = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(a[0]))) {
            String type = e.getEventType().getName();
            boolean sample = type.equals("jdk.ExecutionSample");
            if (!sample && !type.equals("jdk.SocketRead")) continue;
            RecordedThread t = e.getThread(sample ? "sampledThread" : "eventThread");
            if (t == null || t.getJavaName() == null || !thread.matcher(t.getJavaName()).find() || e.getStackTrace() == null) continue;
            List<RecordedFrame> frames = e.getStackTrace().getFrames();
            if (sample) {
                samples++;
                self.merge(name(frames.getFirst()), 1, Integer::sum);
                Set<String> seen = new HashSet<>();
                for (RecordedFrame f : frames) if (seen.add(name(f))) inclusive.merge(name(f), 1, Integer::sum);
            } else {
                String at = frames.stream().map(JfrTop::name).filter(n -> n.startsWith(readPrefix)).findFirst().orElse("?");
                double s = e.getDuration().toNanos() / 1e9;
                double[] v = reads.computeIfAbsent(at, k -> new double[2]);
                v[0]++; v[1] += s; readSeconds += s;
            }
        }
        System.out.printf("%d CPU samples on threads /%s/%n%nself:%n", samples, a[1]);
        print(self, samples, top);
        System.out.println("\ninclusive:");
        print(inclusive, samples, top * 2);
        System.out.printf("%nsocket reads over the threshold: %.1f s, by first frame under %s%n", readSeconds, readPrefix);
        final double total = readSeconds;
        reads.entrySet().stream().sorted((x, y) -> Double.compare(y.getValue()[1], x.getValue()[1])).limit(top)
                .forEach(r -> System.out.printf("%6.1f s %5.1f%% %6d  %s%n", r.getValue()[1], 100 * r.getValue()[1] / total, (long) r.getValue()[0], r.getKey()));
    }

    static String name(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    static void print(Map<String, Integer> counts, int samples, int top) {
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(top)
                .forEach(c -> System.out.printf("%5.1f%% %s%n", 100.0 * c.getValue() / samples, c.getKey()));
    }
}
