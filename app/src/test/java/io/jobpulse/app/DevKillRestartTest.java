package io.jobpulse.app;

import io.jobpulse.devstack.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code jobpulse dev} killed with SIGKILL and started again on the same data, as a person would
 * after a crash: it starts (its old PostgreSQL, still running on the data, is stopped first), and
 * with its fixed instance id its projectors take their partitions straight back, so a job
 * submitted once it is ready reaches the read model (the job list) at once.
 */
class DevKillRestartTest {

    private static final Pattern ALICE = Pattern.compile("export ALICE=(\\S+)");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void devKilledAndStartedAgainResumesTheReadModelAtOnce(@TempDir Path home) throws Exception {
        int http = FreePorts.pick();
        int kafka = freePortWithFreeNext();
        int postgres = FreePorts.pick();
        Dev first = Dev.start(home, http, kafka, postgres);
        String beforeKill;
        try {
            beforeKill = submit(http, first.token());
            await().atMost(Duration.ofSeconds(30)).until(() -> listed(http, first.token(), beforeKill));
        } finally {
            first.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }

        Dev second = Dev.start(home, http, kafka, postgres);
        try {
            long ready = System.nanoTime();
            String afterRestart = submit(http, second.token());
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> listed(http, second.token(), afterRestart));
            Duration resumed = Duration.ofNanos(System.nanoTime() - ready);
            System.out.printf("dev restarted after kill -9: a job submitted once ready was listed %d ms later%n", resumed.toMillis());
            // Without static members the projectors would wait for the killed ones' sessions (45 s by Kafka's default).
            assertThat(resumed).isLessThan(Duration.ofSeconds(30));
            assertThat(listed(http, second.token(), beforeKill)).isTrue();
        } finally {
            second.process().destroy();
            if (!second.process().waitFor(60, TimeUnit.SECONDS)) {
                second.process().destroyForcibly().waitFor();
            }
        }
    }

    private static String submit(int http, String token) throws Exception {
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/v1/jobs"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"dev.restart\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
        return SliceEndToEndTest.json(answer).get("id").asText();
    }

    /** Whether the read model lists the job (GET /v1/jobs is answered from PostgreSQL). */
    private static boolean listed(int http, String token, String job) throws Exception {
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/v1/jobs?limit=100"))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
        return answer.statusCode() == 200 && answer.body().contains("\"" + job + "\"");
    }

    private static int freePortWithFreeNext() throws IOException {
        for (int attempt = 0; attempt < 20; attempt++) {
            int port = FreePorts.pick();
            try (ServerSocket next = new ServerSocket(port + 1)) {
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no two consecutive free ports");
    }

    /** A running {@code jobpulse dev} in a JVM of its own, and the token it printed for alice. */
    private record Dev(Process process, String token) {

        static Dev start(Path home, int http, int kafka, int postgres) throws Exception {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            command.addAll(ServeProcess.QUICK_JVM);
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), Jobpulse.class.getName(), "dev"));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().keySet().removeIf(name -> name.startsWith("JOBPULSE_") || name.equals("KAFKA_BOOTSTRAP_SERVERS")
                    || name.startsWith("JDBC_"));
            builder.environment().putAll(Map.of("JOBPULSE_HOME", home.toString(), "JOBPULSE_PORT", Integer.toString(http),
                    "JOBPULSE_DEV_KAFKA_PORT", Integer.toString(kafka), "JOBPULSE_DEV_POSTGRES_PORT", Integer.toString(postgres)));
            Process process = builder.start();
            List<String> output = new CopyOnWriteArrayList<>();
            Thread.ofVirtual().start(() -> {
                try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    lines.lines().forEach(output::add);
                } catch (IOException e) {
                    // the process ended
                }
            });
            await().atMost(Duration.ofSeconds(120)).until(() -> !process.isAlive()
                    || output.stream().anyMatch(line -> line.contains("Jobpulse is ready")));
            assertThat(process.isAlive()).as(String.join("\n", output)).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> output.stream().anyMatch(line -> ALICE.matcher(line).find()));
            Matcher token = output.stream().map(ALICE::matcher).filter(Matcher::find).findFirst().orElseThrow();
            return new Dev(process, token.group(1));
        }
    }
}
