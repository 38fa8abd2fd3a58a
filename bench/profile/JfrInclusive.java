import java.nio.file.Path;
import java.util.*;
import jdk.jfr.consumer.*;
/**
 * The share of a Flight Recording's CPU samples whose stack holds a frame starting with each given
 * prefix (a package, class or method): inclusive cost of a library or a module. With a first
 * argument {@code threads=REGEX}, only the samples of threads whose name matches count (e.g. the
 * HTTP intake: {@code threads=.*(eventLoop|virtual-executor).*}).
 *
 * Usage: java bench/profile/JfrInclusive.java recording.jfr [threads=REGEX] prefix...
 */
public class JfrInclusive {
    public static void main(String[] a) throws Exception {
        String threads = a.length > 1 && a[1].startsWith("threads=") ? a[1].substring("threads=".length()) : null;
        int first = threads == null ? 1 : 2;
        int n = 0; int[] hits = new int[a.length];
        for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(a[0]))) {
            if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) continue;
            if (threads != null && !String.valueOf(e.getThread("sampledThread").getJavaName()).matches(threads)) continue;
            n++;
            for (int i = first; i < a.length; i++) {
                for (RecordedFrame f : e.getStackTrace().getFrames()) {
                    if ((f.getMethod().getType().getName() + "." + f.getMethod().getName()).startsWith(a[i])) { hits[i]++; break; }
                }
            }
        }
        if (threads != null) System.out.println(n + " samples of threads " + threads);
        for (int i = first; i < a.length; i++) System.out.printf("%5.1f%% %s%n", 100.0 * hits[i] / n, a[i]);
    }
}
