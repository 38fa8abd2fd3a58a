import java.nio.file.Path;
import java.util.*;
import jdk.jfr.consumer.*;
/**
 * The share of a Flight Recording's CPU samples whose stack holds a frame starting with each given
 * prefix (a package, class or method): inclusive cost of a library or a module.
 *
 * Usage: java bench/profile/JfrInclusive.java recording.jfr prefix...
 */
public class JfrInclusive {
    public static void main(String[] a) throws Exception {
        int n = 0; int[] hits = new int[a.length];
        for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(a[0]))) {
            if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) continue;
            n++;
            for (int i = 1; i < a.length; i++) {
                for (RecordedFrame f : e.getStackTrace().getFrames()) {
                    if ((f.getMethod().getType().getName() + "." + f.getMethod().getName()).startsWith(a[i])) { hits[i]++; break; }
                }
            }
        }
        for (int i = 1; i < a.length; i++) System.out.printf("%5.1f%% %s%n", 100.0 * hits[i] / n, a[i]);
    }
}
