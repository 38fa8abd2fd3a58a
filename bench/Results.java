import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * One row of the benchmarks' common table, appended as a JSON line to the file named by
 * {@code BENCH_RESULTS} when that is set ({@code bench/run-all.sh} sets it and prints the table).
 * Used from the single-file benchmark programs beside it (Java 22+ finds it in the same directory).
 *
 * @param id        stable key for comparing runs, e.g. {@code report-to-stream.1000.p99}
 * @param what      the row as a person reads it, e.g. {@code report -> SSE change at 1,000/s, p99}
 * @param unit      {@code ms}, {@code /s}, {@code KiB} …
 * @param jobpulse  Jobpulse's figure
 * @param baseline  the baseline's figure from the same run, or {@code NaN} when the row has none
 * @param baselineWhat what the baseline is, e.g. {@code raw Kafka, read_committed}
 * @param lowerIsBetter whether a smaller figure is better (latency, memory) or a larger (throughput)
 * @param goal      the goal for Jobpulse's figure, or {@code NaN}
 * @param goalRatio the goal for jobpulse / baseline (at most it when lower is better, at least it
 *                  otherwise), or {@code NaN}
 */
record Results(String id, String what, String unit, double jobpulse, double baseline, String baselineWhat,
               boolean lowerIsBetter, double goal, double goalRatio) {

    /** Appends this row to {@code $BENCH_RESULTS}, if set; always prints it. */
    void report() {
        String line = toJson();
        System.out.println("RESULT " + line);
        String file = System.getenv("BENCH_RESULTS");
        if (file == null || file.isBlank()) {
            return;
        }
        try {
            Files.writeString(Path.of(file), line + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new IllegalStateException("cannot append to BENCH_RESULTS " + file, e);
        }
    }

    String toJson() {
        return "{\"id\":" + quote(id) + ",\"what\":" + quote(what) + ",\"unit\":" + quote(unit)
            + ",\"jobpulse\":" + number(jobpulse) + ",\"baseline\":" + number(baseline)
            + ",\"baselineWhat\":" + quote(baselineWhat) + ",\"lowerIsBetter\":" + lowerIsBetter
            + ",\"goal\":" + number(goal) + ",\"goalRatio\":" + number(goalRatio) + "}";
    }

    private static String number(double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%.3f", value) : "null";
    }

    private static String quote(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                default -> out.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return out.append('"').toString();
    }
}
