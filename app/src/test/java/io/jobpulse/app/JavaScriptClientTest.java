package io.jobpulse.app;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JavaScript packages' own tests ({@code clients/js}: jobpulse-client, {@code clients/react}:
 * jobpulse-react), run by Node's test runner against a real Jobpulse started here, with a short
 * stream-token life so that their renewal test crosses an expiry. Node finds the instance in
 * {@code JOBPULSE_URL}, {@code JOBPULSE_ALICE}, {@code JOBPULSE_BOB}; by hand, the same tests start
 * a {@code jobpulse dev} of their own (clients/js/README.md).
 */
class JavaScriptClientTest {

    private static final Path CLIENTS = Path.of("..", "clients").toAbsolutePath().normalize();
    private static final int STREAM_TOKEN_TTL_SECONDS = 8;

    @Test
    void theJavaScriptClientAndReactHooksPassTheirTestsAgainstARealJobpulse() throws Exception {
        Assumptions.assumeTrue(NodeScript.onPath("node") && NodeScript.onPath("npm"), "Node.js and npm are needed to run the JavaScript clients' tests");
        NodeScript.install(CLIENTS.resolve("js"), "ws");
        NodeScript.install(CLIENTS.resolve("react"), "react-dom");
        try (JobpulseInstance jobpulse = JobpulseInstance.start(Map.of(
                "jobpulse.security.stream-token-ttl", STREAM_TOKEN_TTL_SECONDS + "s",
                "jobpulse.push.token-expiring-notice", STREAM_TOKEN_TTL_SECONDS / 2 + "s",
                "jobpulse.push.retry", "200ms"))) {
            ProcessBuilder builder = new ProcessBuilder("node", "--test",
                    CLIENTS.resolve("js/test/client.test.js").toString(),
                    CLIENTS.resolve("react/test/hooks.test.js").toString())
                    .directory(CLIENTS.toFile()).redirectErrorStream(true);
            builder.environment().putAll(Map.of(
                    "JOBPULSE_URL", jobpulse.uri("/").toString(),
                    "JOBPULSE_ALICE", JobpulseInstance.token("alice"),
                    "JOBPULSE_BOB", JobpulseInstance.token("bob"),
                    "JOBPULSE_STREAM_TOKEN_TTL_SECONDS", Integer.toString(STREAM_TOKEN_TTL_SECONDS)));
            Process node = builder.start();
            CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (java.io.IOException e) {
                    return "(output unreadable: " + e + ")";
                }
            });
            boolean finished = node.waitFor(4, TimeUnit.MINUTES);
            if (!finished) {
                node.destroyForcibly().waitFor();
            }
            String report = output.get(30, TimeUnit.SECONDS);
            System.out.println(report);
            assertThat(finished).as("node --test finished within 4 minutes:\n" + report).isTrue();
            assertThat(node.exitValue()).as(report).isZero();
            assertThat(List.of(report.split("\n"))).as(report).contains("# fail 0").noneMatch(line -> line.startsWith("# skipped ")
                    && !line.equals("# skipped 0"));
        }
    }
}
