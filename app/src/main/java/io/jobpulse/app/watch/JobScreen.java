package io.jobpulse.app.watch;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * The terminal view of {@code jobpulse watch}: the jobs, newest first, redrawn in place with ANSI escapes (cursor
 * home, clear each line), so the screen does not scroll; {@link #leave} shows the cursor again on the way out.
 */
final class JobScreen {

    private static final String HOME = "\u001b[H";
    private static final String CLEAR_LINE = "\u001b[K";
    private static final String CLEAR_BELOW = "\u001b[J";
    private static final String HIDE_CURSOR = "\u001b[?25l";
    private static final String SHOW_CURSOR = "\u001b[?25h";

    private final PrintStream out;
    private final Clock clock;
    private String status = "";
    private Collection<JobRow> last = List.of();

    JobScreen(PrintStream out, Clock clock) {
        this.out = out;
        this.clock = clock;
        out.print("\u001b[2J" + HIDE_CURSOR);
    }

    synchronized void draw(Collection<JobRow> jobs) {
        last = List.copyOf(jobs);
        Instant now = clock.instant();
        StringBuilder screen = new StringBuilder(HOME);
        screen.append("jobpulse watch: your ").append(last.size()).append(" newest jobs, live (Ctrl-C to quit)")
                .append(status.isEmpty() ? "" : "  [" + status + "]").append(CLEAR_LINE).append('\n').append(CLEAR_LINE).append('\n');
        last.stream().sorted(Comparator.comparing(JobRow::createdAt, Comparator.nullsLast(Comparator.reverseOrder())))
                .forEach(job -> screen.append(job.line(now)).append(CLEAR_LINE).append('\n'));
        screen.append(CLEAR_BELOW);
        out.print(screen);
        out.flush();
    }

    synchronized void status(String message) {
        status = message;
        draw(last);
    }

    void leave() {
        out.print(SHOW_CURSOR + "\n");
        out.flush();
    }
}
