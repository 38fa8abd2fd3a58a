import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The table of {@code bench/run-all.sh}: reads the rows the benchmarks appended ({@link Results}
 * as JSON lines) and run-all's steps (one JSON line each: name, exit status, seconds, rows), prints
 * one table (what, Jobpulse, baseline, ratio, goal, met), and writes the rows, the steps and the
 * machine's description to one JSON file, so that runs can be compared. A step that failed or
 * reported nothing is a row "not measured" with its exit status.
 *
 * <p>Usage: java bench/BenchTable.java rows.jsonl steps.jsonl out.json; env BENCH_STARTED,
 * BENCH_LOAD_BEFORE, BENCH_DURATION_S (set by run-all).
 */
public class BenchTable {

    public static void main(String[] args) throws Exception {
        List<String> rowLines = lines(Path.of(args[0]));
        List<String> stepLines = lines(Path.of(args[1]));
        List<String> table = new ArrayList<>();
        table.add(String.join("\t", "what", "Jobpulse", "baseline", "ratio", "goal", "met"));
        for (String line : rowLines) {
            table.add(row(Json.parse(line)));
        }
        for (String line : stepLines) {
            Map<String, Object> step = Json.parse(line);
            Object exit = step.get("exit");
            long rows = ((Number) step.get("rows")).longValue();
            if (exit == null || ((Number) exit).intValue() != 0 || rows == 0) {
                String why = exit == null ? (note(step).isEmpty() ? "script absent" : note(step).substring(2)) : "exit " + ((Number) exit).intValue()
                        + (rows == 0 ? ", no rows" : ", " + rows + " rows above") + note(step);
                table.add(String.join("\t", step.get("step") + " (" + step.get("script") + ")", "not measured",
                        "", "", "", why));
            }
        }
        print(table);
        System.out.println();
        for (String line : stepLines) {
            Map<String, Object> step = Json.parse(line);
            System.out.printf(Locale.ROOT, "%-24s exit %-4s %6.1f s  %d rows%n", step.get("step"),
                    step.get("exit") == null ? "-" : String.valueOf(((Number) step.get("exit")).intValue()),
                    ((Number) step.get("seconds")).doubleValue(), ((Number) step.get("rows")).longValue());
        }
        Map<String, String> machine = machine();
        StringBuilder json = new StringBuilder("{\n  \"machine\": {");
        String separator = "\n";
        for (Map.Entry<String, String> entry : machine.entrySet()) {
            json.append(separator).append("    ").append(Json.quote(entry.getKey())).append(": ").append(Json.quote(entry.getValue()));
            separator = ",\n";
        }
        json.append("\n  },\n  \"steps\": [\n    ").append(String.join(",\n    ", stepLines))
                .append("\n  ],\n  \"rows\": [\n    ").append(String.join(",\n    ", rowLines)).append("\n  ]\n}\n");
        Files.writeString(Path.of(args[2]), json, StandardCharsets.UTF_8);
        System.out.println();
        machine.forEach((key, value) -> System.out.printf("%-14s %s%n", key, value));
        System.out.println("written to " + args[2]);
    }

    private static String note(Map<String, Object> step) {
        Object note = step.get("note");
        return note == null || note.toString().isEmpty() ? "" : ", " + note;
    }

    /** One row of the table, tab-separated. */
    private static String row(Map<String, Object> r) {
        String unit = (String) r.get("unit");
        Double jobpulse = number(r.get("jobpulse"));
        Double baseline = number(r.get("baseline"));
        Double goal = number(r.get("goal"));
        Double goalRatio = number(r.get("goalRatio"));
        boolean lower = Boolean.TRUE.equals(r.get("lowerIsBetter"));
        Double ratio = jobpulse != null && baseline != null && baseline != 0 ? jobpulse / baseline : null;
        String op = lower ? "<= " : ">= ";
        List<String> goals = new ArrayList<>();
        if (goal != null) {
            goals.add(op + figure(goal, unit));
        }
        if (goalRatio != null) {
            goals.add(op + ratio(goalRatio) + " baseline");
        }
        String met;
        if (jobpulse == null) {
            met = "not measured";
        } else if (goals.isEmpty()) {
            met = "";
        } else {
            boolean ok = (goal == null || (lower ? jobpulse <= goal : jobpulse >= goal))
                    && (goalRatio == null || (ratio != null && (lower ? ratio <= goalRatio : ratio >= goalRatio)));
            met = ok ? "met" : "NOT MET";
        }
        String baselineText = baseline == null ? "" : figure(baseline, unit)
                + (r.get("baselineWhat") == null ? "" : " (" + r.get("baselineWhat") + ")");
        return String.join("\t", (String) r.get("what"), jobpulse == null ? "-" : figure(jobpulse, unit), baselineText,
                ratio == null ? "" : ratio(ratio), String.join(", ", goals), met);
    }

    private static Double number(Object value) {
        return value instanceof Number n ? n.doubleValue() : null;
    }

    private static String figure(double value, String unit) {
        String number = Math.abs(value) >= 100 || value == Math.rint(value)
                ? String.format(Locale.ROOT, "%,.0f", value) : String.format(Locale.ROOT, "%.1f", value);
        return unit == null || unit.isEmpty() ? number : unit.startsWith("/") ? number + unit : number + " " + unit;
    }

    private static String ratio(double value) {
        return String.format(Locale.ROOT, value >= 10 ? "%.0fx" : "%.2fx", value);
    }

    /** Prints tab-separated lines as aligned columns, the first as a header. */
    private static void print(List<String> lines) {
        List<String[]> cells = lines.stream().map(line -> line.split("\t", -1)).toList();
        int[] widths = new int[cells.getFirst().length];
        for (String[] row : cells) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (int n = 0; n < cells.size(); n++) {
            StringBuilder out = new StringBuilder();
            String[] row = cells.get(n);
            for (int i = 0; i < row.length; i++) {
                String cell = row[i];
                out.append(i == 1 || i == 3 ? " ".repeat(Math.max(0, widths[i] - cell.length())) + cell
                        : cell + " ".repeat(Math.max(0, widths[i] - cell.length()))).append("  ");
            }
            System.out.println(out.toString().stripTrailing());
            if (n == 0) {
                System.out.println("-".repeat(out.length() - 2));
            }
        }
    }

    /** This machine and this checkout, as run-all found them. */
    private static Map<String, String> machine() throws Exception {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("started", env("BENCH_STARTED"));
        m.put("duration_s", env("BENCH_DURATION_S"));
        m.put("nproc", String.valueOf(Runtime.getRuntime().availableProcessors()));
        m.put("cpu", first(Path.of("/proc/cpuinfo"), "model name"));
        m.put("memory", first(Path.of("/proc/meminfo"), "MemTotal"));
        m.put("os", first(Path.of("/etc/os-release"), "PRETTY_NAME").replace("\"", ""));
        m.put("kernel", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        m.put("jdk", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version"));
        m.put("git_commit", command("git", "rev-parse", "HEAD"));
        m.put("git_dirty", String.valueOf(!command("git", "status", "--porcelain", "--untracked-files=no").isEmpty()));
        m.put("load_before", env("BENCH_LOAD_BEFORE"));
        m.put("load_after", Files.readString(Path.of("/proc/loadavg")).trim().replaceAll("^(\\S+ \\S+ \\S+).*", "$1"));
        return m;
    }

    private static String env(String name) {
        String value = System.getenv(name);
        return value == null ? "" : value;
    }

    /** The value of the first line starting with key in a "key: value" or "key=value" file, or "". */
    private static String first(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(key)) {
                    return line.substring(line.indexOf(line.contains(":") ? ':' : '=') + 1).trim();
                }
            }
        } catch (IOException e) {
            return "";
        }
        return "";
    }

    private static String command(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0 ? out : "unknown";
    }

    private static List<String> lines(Path file) throws IOException {
        return Files.readAllLines(file).stream().filter(line -> !line.isBlank()).toList();
    }

    /** Just enough JSON for the flat objects of the rows and steps: strings, numbers, booleans, null. */
    static final class Json {
        private final String text;
        private int at;

        private Json(String text) {
            this.text = text;
        }

        static Map<String, Object> parse(String text) {
            Json json = new Json(text);
            json.expect('{');
            Map<String, Object> object = new LinkedHashMap<>();
            while (json.peek() != '}') {
                String key = json.string();
                json.expect(':');
                object.put(key, json.value());
                if (json.peek() == ',') {
                    json.at++;
                }
            }
            return object;
        }

        private Object value() {
            char c = peek();
            if (c == '"') {
                return string();
            }
            int start = at;
            while (at < text.length() && ",}".indexOf(text.charAt(at)) < 0) {
                at++;
            }
            String word = text.substring(start, at).trim();
            return switch (word) {
                case "null" -> null;
                case "true" -> Boolean.TRUE;
                case "false" -> Boolean.FALSE;
                default -> Double.parseDouble(word);
            };
        }

        private String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            for (char c = text.charAt(at++); c != '"'; c = text.charAt(at++)) {
                if (c == '\\') {
                    char e = text.charAt(at++);
                    out.append(switch (e) {
                        case 'n' -> '\n';
                        case 't' -> '\t';
                        case 'u' -> {
                            char u = (char) Integer.parseInt(text.substring(at, at + 4), 16);
                            at += 4;
                            yield u;
                        }
                        default -> e;
                    });
                } else {
                    out.append(c);
                }
            }
            return out.toString();
        }

        private char peek() {
            while (Character.isWhitespace(text.charAt(at))) {
                at++;
            }
            return text.charAt(at);
        }

        private void expect(char c) {
            if (peek() != c) {
                throw new IllegalArgumentException("expected '" + c + "' at " + at + " in " + text);
            }
            at++;
        }

        static String quote(String value) {
            return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        }
    }
}
