package io.jobpulse.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.events.JobJson;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Node.js script run as a process of its own, whose output lines are read as they come: a JSON
 * line as it is, any other line as {@code {"output": line}}. Also installs a script folder's locked
 * dependencies.
 */
final class NodeScript implements AutoCloseable {

    final List<JsonNode> lines = new CopyOnWriteArrayList<>();
    private final Process process;

    private NodeScript(Process process) {
        this.process = process;
        Thread.ofVirtual().start(this::read);
    }

    /** Starts {@code node <script> <args...>} in the script's folder. */
    static NodeScript start(Path script, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("node", script.toString()));
        command.addAll(List.of(args));
        return new NodeScript(new ProcessBuilder(command).directory(script.getParent().toFile()).redirectErrorStream(true).start());
    }

    /** The first line that matches, once it came. */
    JsonNode awaitLine(Predicate<JsonNode> match, Duration atMost) {
        await().atMost(atMost).until(() -> lines.stream().anyMatch(match) || !process.isAlive() && lines.stream().noneMatch(match));
        return lines.stream().filter(match).findFirst().orElseThrow(() -> new AssertionError("the script ended without such a line: " + lines));
    }

    /** Waits for the script to end, and checks that it ended well (exit status 0). */
    void assertSucceeds(Duration atMost) throws InterruptedException {
        assertThat(process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)).as("ended within %s: %s", atMost, lines).isTrue();
        assertThat(process.exitValue()).as("exit status; output: %s", lines).isZero();
    }

    private void read() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                try {
                    lines.add(JobJson.mapper().readTree(line));
                } catch (IOException notJson) {
                    lines.add(JobJson.mapper().createObjectNode().put("output", line));
                }
            }
        } catch (IOException e) {
            // The process ended.
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }

    /** Installs a folder's locked dependencies (npm ci) unless {@code installed}, a path in node_modules, is there. */
    static void install(Path folder, String installed) throws IOException, InterruptedException {
        if (Files.exists(folder.resolve("node_modules").resolve(installed))) {
            return;
        }
        Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(folder.toFile())
                .redirectErrorStream(true).start();
        String output = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(npm.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(npm.exitValue()).as("npm ci in " + folder + ": " + output).isZero();
    }

    static boolean onPath(String command) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
