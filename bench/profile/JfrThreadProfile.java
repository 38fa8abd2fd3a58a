import java.nio.file.Path;
import java.util.*;
import java.util.regex.Pattern;
import jdk.jfr.consumer.*;
/**
 * One thread's CPU profile from a Flight Recording: of the CPU samples of the threads whose name
 * matches a pattern, the hottest methods by own time (top frame), and the inclusive share of each
 * given prefix (a package, class or method anywhere on the stack).
 *
 * Usage: java bench/profile/JfrThreadProfile.java recording.jfr threadRegex top prefix...
 */
public class JfrThreadProfile {
    public static void main(String[] a) throws Exception {
        Pattern thread = Pattern.compile(a[1]);
        int top = Integer.parseInt(a[2]);
        List<String> prefixes = List.of(a).subList(3, a.length);
        int n = 0;
        int[] hits = new int[prefixes.size()];
        Map<String, Integer> self = new HashMap<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(a[0]))) {
            if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) continue;
            RecordedThread t = e.getThread("sampledThread");
            if (t == null || t.getJavaName() == null || !thread.matcher(t.getJavaName()).find()) continue;
            n++;
            List<RecordedFrame> frames = e.getStackTrace().getFrames();
            if (!frames.isEmpty()) self.merge(name(frames.get(0)), 1, Integer::sum);
            for (int i = 0; i < prefixes.size(); i++) {
                for (RecordedFrame f : frames) {
                    if (name(f).startsWith(prefixes.get(i))) { hits[i]++; break; }
                }
            }
        }
        System.out.printf("%d samples of threads matching %s%n", n, a[1]);
        final int total = Math.max(n, 1);
        self.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(top)
                .forEach(s -> System.out.printf("  self %5.1f%% %s%n", 100.0 * s.getValue() / total, s.getKey()));
        for (int i = 0; i < prefixes.size(); i++) System.out.printf("  incl %5.1f%% %s%n", 100.0 * hits[i] / total, prefixes.get(i));
    }

    private static String name(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }
}
