package io.jobpulse.app;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the scripts of {@code browser-tests/}, which drive a real browser (Debian's Chromium, through
 * playwright-core) against a running Jobpulse. Where the browser, Node.js or npm is missing, the
 * test is skipped, saying what is missing, except under CI ({@code CI=true}), where it fails: a CI
 * run without a browser must not pass by skipping. {@code ./jobpulse test} installs Chromium and the
 * scripts' dependencies where it can. The webhook receiver ({@link WebhookReceiver}) lives in the same
 * folder and follows the same rule, without needing the browser.
 */
final class BrowserTests {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    private BrowserTests() {
    }

    /** Starts a script of {@code browser-tests/} with these arguments, once the browser and the dependencies are there. */
    static NodeScript start(String script, String... args) throws IOException, InterruptedException {
        require(Files.isExecutable(CHROMIUM), CHROMIUM + " is missing (apt-get install chromium, or ./jobpulse test as root)");
        require(NodeScript.onPath("node") && NodeScript.onPath("npm"), "Node.js and npm are missing");
        Path folder = folder();
        NodeScript.install(folder, "playwright-core");
        return NodeScript.start(folder.resolve(script), args);
    }

    /** Skips the test, saying what is missing, unless it is there; under CI=true fails instead. */
    static void require(boolean present, String missing) {
        if (!present) {
            assertThat("true".equalsIgnoreCase(System.getenv("CI"))).as("CI=true and a test of browser-tests/ cannot run: " + missing).isFalse();
            Assumptions.abort("test of browser-tests/ skipped: " + missing);
        }
    }

    /** {@code browser-tests/} at the top of the project, found from wherever the tests run. */
    static Path folder() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("browser-tests/package.json"))) {
                return dir.resolve("browser-tests");
            }
        }
        throw new AssertionError("no browser-tests/ folder above " + Path.of("").toAbsolutePath());
    }
}
