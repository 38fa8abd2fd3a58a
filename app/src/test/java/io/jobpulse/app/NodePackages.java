package io.jobpulse.app;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Node.js projects the tests run: whether Node and npm are here, and their locked dependencies installed once. */
final class NodePackages {

    private NodePackages() {
    }

    /** Whether Node.js and npm are on the PATH. */
    static boolean available() {
        return onPath("node") && onPath("npm");
    }

    /** Installs a project's locked dependencies (npm ci) unless {@code marker} (a path under node_modules) is there. */
    static void install(Path project, String marker) throws IOException, InterruptedException {
        if (Files.exists(project.resolve("node_modules").resolve(marker))) {
            return;
        }
        Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(project.toFile())
                .redirectErrorStream(true).start();
        String output = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(npm.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(npm.exitValue()).as("npm ci in " + project + ": " + output).isZero();
    }

    private static boolean onPath(String command) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
