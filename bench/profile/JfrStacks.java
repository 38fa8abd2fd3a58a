import java.nio.file.Path;
import java.util.*;
import java.util.regex.Pattern;
import jdk.jfr.consumer.*;

/**
 * Sums a Flight Recording's events of one type (e.g. jdk.ThreadPark: wall time; jdk.ExecutionSample:
 * samples) over the threads whose name matches a pattern, by thread and first frames outside the JDK.
 *
 * Usage: java bench/profile/JfrStacks.java recording.jfr eventType threadRegex frames top
 */
public class JfrStacks {
    public static void main(String[] a) throws Exception {
        String type = a[1];
        Pattern thread = Pattern.compile(a[2]);
        int depth = Integer.parseInt(a[3]);
        int top = Integer.parseInt(a[4]);
        Map<String, double[]> agg = new HashMap<>();
        double total = 0; long n = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(a[0]))) {
            if (!e.getEventType().getName().equals(type)) continue;
            RecordedThread t = e.getThread(type.equals("jdk.ExecutionSample") ? "sampledThread" : "eventThread");
            String tn = t == null ? "?" : String.valueOf(t.getJavaName());
            if (!thread.matcher(tn).find()) continue;
            List<String> frames = new ArrayList<>();
            if (e.getStackTrace() != null) for (RecordedFrame f : e.getStackTrace().getFrames()) {
                String m = f.getMethod().getType().getName() + "." + f.getMethod().getName();
                if (m.startsWith("java.") || m.startsWith("jdk.") || m.startsWith("sun.")) continue;
                frames.add(m.replaceAll("^(org\\.apache\\.kafka|io\\.micronaut|io\\.jobpulse)\\.", "$1:"));
                if (frames.size() == depth) break;
            }
            String key = tn.replaceAll("\\d+", "N").replaceAll("jobpulse-topology\\S*-StreamThread", "StreamThread") + " | " + String.join(" < ", frames);
            double d = e.getDuration().toNanos() / 1e9;
            double[] v = agg.computeIfAbsent(key, k -> new double[2]);
            v[0]++; v[1] += d; total += d; n++;
        }
        boolean samples = type.equals("jdk.ExecutionSample");
        System.out.printf("%s %s: %d events, %.2f s%n", type, a[2], n, total);
        final double tot = total; final long cnt = n;
        agg.entrySet().stream().sorted((x, y) -> Double.compare(samples ? y.getValue()[0] : y.getValue()[1], samples ? x.getValue()[0] : x.getValue()[1]))
            .limit(top).forEach(en -> System.out.printf("%6.1f%% %8.2fs %6d  %s%n",
                samples ? 100 * en.getValue()[0] / cnt : 100 * en.getValue()[1] / tot, en.getValue()[1], (long) en.getValue()[0], en.getKey()));
    }
}
