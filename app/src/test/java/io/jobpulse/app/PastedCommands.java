package io.jobpulse.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Shell lines from the docs or from a banner, run the way a reader runs them when pasting them:
 * by bash, with the real {@code curl}, as written (lines continued with a backslash included) but
 * for the placeholders. A command announces the status it gets by a trailing comment that
 * starts with it ({@code # 404: not Bob's job}) or by a comment line under it quoting the answer
 * ({@code #  HTTP/1.1 202 Accepted}); otherwise it should get a 2xx. Assignments ({@code A="..."})
 * are kept and run before every later command, since a reader's shell keeps them.
 *
 * <p>{@code curl} is wrapped (a shell function of the same name) to print the status after the
 * answer, and to end a stream ({@code -N}) after {@link #STREAM_SECONDS}: the reader would press
 * Ctrl-C. Only curl commands and assignments are taken; other commands are left out.
 */
final class PastedCommands {

    static final int STREAM_SECONDS = 3;
    private static final Pattern ASSIGNMENT = Pattern.compile("^[A-Za-z_][A-Za-z0-9_]*=.*", Pattern.DOTALL);
    private static final Pattern ANNOUNCED = Pattern.compile("^#\\s*(\\d{3})\\b");
    private static final Pattern QUOTED_ANSWER = Pattern.compile("^#\\s*HTTP/[\\d.]+ (\\d{3})\\b");
    private static final Pattern STREAM = Pattern.compile("(^|\\s)-N(\\s|$)");

    /**
     * One command as written (over several lines if continued; its trailing comment kept) and the status it
     * announces, or 0 when it announces none and any 2xx will do.
     */
    record Command(String text, int announced) {

        boolean streams() {
            return STREAM.matcher(text).find();
        }

        boolean accepts(int status) {
            return announced == 0 ? status >= 200 && status < 300 : status == announced;
        }

        Command with(String placeholder, String value) {
            return new Command(text.replace(placeholder, value), announced);
        }
    }

    /** What a command printed on its output and on its errors, its exit code, and the HTTP status curl reported. */
    record Answer(int exitCode, int status, String output, String errors) {
    }

    /** The assignments and curl commands of these shell lines, in order, each as written (over several lines if continued). */
    static List<Command> of(List<String> lines) {
        List<Command> commands = new ArrayList<>();
        List<String> continued = new ArrayList<>();
        for (String raw : lines) {
            continued.add(raw);
            if (raw.endsWith("\\")) {
                continue;
            }
            String text = String.join("\n", continued).strip();
            continued.clear();
            Matcher quoted = QUOTED_ANSWER.matcher(text);
            if (quoted.find() && !commands.isEmpty() && commands.getLast().announced() == 0) {
                Command last = commands.removeLast();
                commands.add(new Command(last.text(), Integer.parseInt(quoted.group(1))));
            } else if (text.startsWith("curl ") || ASSIGNMENT.matcher(text).matches()) {
                Matcher announced = ANNOUNCED.matcher(trailingComment(text.substring(text.lastIndexOf('\n') + 1)));
                commands.add(new Command(text, announced.find() ? Integer.parseInt(announced.group(1)) : 0));
            }
        }
        return commands;
    }

    /** The shell lines of a markdown document's code blocks, under the heading that starts with this text. */
    static List<String> codeBlocksUnder(String markdown, String heading) {
        List<String> lines = new ArrayList<>();
        boolean inSection = false;
        boolean inBlock = false;
        for (String line : markdown.split("\n")) {
            if (line.startsWith("```")) {
                inBlock = !inBlock;
            } else if (!inBlock && line.startsWith("#")) {
                inSection = line.replaceFirst("^#+ ", "").startsWith(heading);
            } else if (inSection && inBlock) {
                lines.add(line);
            }
        }
        return lines;
    }

    /** Runs one command in bash after the assignments before it, with these environment variables. */
    static Answer run(List<Command> assignments, Command command, Map<String, String> environment) {
        StringBuilder script = new StringBuilder("curl() { command curl --max-time ")
                .append(command.streams() ? STREAM_SECONDS : 30).append(" -w '\\n%{http_code}\\n' \"$@\"; }\n");
        assignments.forEach(assignment -> script.append(assignment.text()).append('\n'));
        script.append(command.text()).append('\n');
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", script.toString());
        builder.environment().putAll(environment);
        try {
            Process bash = builder.start();
            CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> text(bash.getInputStream()));
            CompletableFuture<String> errors = CompletableFuture.supplyAsync(() -> text(bash.getErrorStream()));
            if (!bash.waitFor(60, TimeUnit.SECONDS)) {
                bash.destroyForcibly().waitFor();
            }
            String printed = output.get(10, TimeUnit.SECONDS);
            List<String> printedLines = printed.strip().lines().toList();
            String last = printedLines.isEmpty() ? "" : printedLines.getLast().strip();
            return new Answer(bash.exitValue(), last.matches("\\d{3}") ? Integer.parseInt(last) : -1, printed,
                    errors.get(10, TimeUnit.SECONDS));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("could not run: " + command.text(), e);
        }
    }

    private static String text(InputStream stream) {
        try {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The comment at the end of a shell line (from a {@code #} outside quotes that starts a word), or "". */
    static String trailingComment(String line) {
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else if (c == '\\' && quote == '"') {
                    i++;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '\\') {
                i++;
            } else if (c == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                return line.substring(i);
            }
        }
        return "";
    }
}
