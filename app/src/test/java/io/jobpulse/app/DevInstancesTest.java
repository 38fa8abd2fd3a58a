package io.jobpulse.app;

import io.jobpulse.devstack.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code ./jobpulse dev --instances 3} as a person trying the scaled shape on one machine runs it, in a JVM of its
 * own: jobs are submitted and listed through its one address, and each instance answers on its own port, for any job. An
 * instance killed with SIGKILL is started again by dev with its id and port, while the one address goes on
 * answering from the others. Dev killed with SIGKILL takes its instances with it, a new dev on the same data starts
 * and finds the jobs, and dev stopped as Ctrl-C stops it leaves no process behind.
 *
 * <p>Every request here opens a connection of its own, as a new client would: the balancer picks an instance per
 * connection.
 */
class DevInstancesTest {

    private static final Pattern ALICE = Pattern.compile("export ALICE=(\\S+)");
    private static final Pattern INSTANCE = Pattern.compile("(dev-\\d)\\s+http://localhost:(\\d+)\\s+pid (\\d+)");
    /** Where dev's output goes too, to be read after a failure. */
    private static final Path LOG = Path.of("target", "dev-instances.log");

    @Test
    void threeInstancesBehindOneAddressOutliveAKilledOneAndEndWithDev(@TempDir Path home) throws Exception {
        Files.deleteIfExists(LOG);
        int http = FreePorts.pick();
        int kafka = DevCommandTest.freePortWithFreeNext();
        int postgres = FreePorts.pick();
        String job;
        List<ProcessHandle> instances;
        Dev first = Dev.start(home, http, kafka, postgres);
        try {
            assertThat(first.output()).anyMatch(line -> line.contains("Dashboard   http://localhost:" + http + "/"));
            assertThat(first.instances()).extracting(Instance::id).containsExactly("dev-1", "dev-2", "dev-3");
            job = submit(http, first.token());
            await().atMost(Duration.ofSeconds(30)).until(() -> listed(http, first.token(), job));
            for (Instance instance : first.instances()) {
                assertThat(healthy(instance.port())).as("/health of " + instance.id()).isTrue();
                // Each instance answers for the job, whichever of them holds its partition.
                HttpResponse<String> read = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + instance.port() + "/v1/jobs/" + job))
                        .header("Authorization", "Bearer " + first.token()));
                assertThat(read.statusCode()).as("the job read on " + instance.id() + ": " + read.body()).isEqualTo(200);
            }

            Instance victim = first.instances().get(1);
            ProcessHandle killed = ProcessHandle.of(victim.pid()).orElseThrow();
            killed.destroyForcibly();
            await().atMost(Duration.ofSeconds(10)).until(() -> !killed.isAlive());
            // Until dev-2 runs again, the one address answers from the others: every new connection gets an answer.
            List<String> answers = new ArrayList<>();
            long killedAt = System.nanoTime();
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(250)).until(() -> {
                answers.add(send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/v1/jobs?limit=1"))
                        .header("Authorization", "Bearer " + first.token())).statusCode() + " " + submitStatus(http, first.token()));
                // The killed process is gone: what answers on its port now is the instance dev started again.
                return healthy(victim.port());
            });
            System.out.printf("dev-2 killed: answering again after %d ms; meanwhile %d lists and submits through the one address%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt), answers.size());
            assertThat(answers).as("lists and submits while dev-2 was down").containsOnly("200 202");
            assertThat(first.output()).anyMatch(line -> line.startsWith("[dev] dev-2 (pid " + victim.pid() + ") exited with status 137"));
            String afterRestart = submit(http, first.token());
            await().atMost(Duration.ofSeconds(30)).until(() -> listed(http, first.token(), afterRestart));
            instances = instancesOf(first.process());
            assertThat(instances).hasSize(3);
        } catch (AssertionError | RuntimeException e) {
            first.stop();
            throw e;
        }

        // Killed, dev can stop nothing: its instances see the end of their input and stop themselves.
        first.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(20)).until(() -> instances.stream().noneMatch(ProcessHandle::isAlive));

        Dev second = Dev.start(home, http, kafka, postgres);
        List<ProcessHandle> restarted;
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> listed(http, second.token(), job));
            restarted = instancesOf(second.process());
            assertThat(restarted).hasSize(3);
        } finally {
            second.stop();
        }
        assertThat(second.process().exitValue()).as("dev's exit after SIGTERM").isEqualTo(143);
        assertThat(restarted).as("instances alive after dev stopped").noneMatch(ProcessHandle::isAlive);
        assertThat(ServeProcess.listens(postgres)).as("PostgreSQL after dev stopped").isFalse();
    }

    /** Dev's instances: its children that run java (PostgreSQL, started through pg_ctl, is not one). */
    private static List<ProcessHandle> instancesOf(Process dev) {
        return dev.children().filter(child -> child.info().command().orElse("").endsWith("/java")).toList();
    }

    private static boolean healthy(int port) {
        try {
            return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))).statusCode() == 200;
        } catch (RuntimeException refused) {
            return false;
        }
    }

    private static String submit(int http, String token) {
        HttpResponse<String> answer = send(submission(http, token));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
        return SliceEndToEndTest.json(answer).get("id").asText();
    }

    private static int submitStatus(int http, String token) {
        return send(submission(http, token)).statusCode();
    }

    private static HttpRequest.Builder submission(int http, String token) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/v1/jobs")).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"dev.instances\"}"));
    }

    /** Whether the read model lists the job (GET /v1/jobs is answered from PostgreSQL, by any instance). */
    private static boolean listed(int http, String token, String job) {
        HttpResponse<String> answer = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/v1/jobs?limit=100"))
                .header("Authorization", "Bearer " + token));
        return answer.statusCode() == 200 && answer.body().contains("\"" + job + "\"");
    }

    /** Sends a request on a connection of its own. */
    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            return client.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(request.build().uri() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** An instance as dev's banner lists it. */
    private record Instance(String id, int port, long pid) {
    }

    /** A running {@code jobpulse dev --instances 3} in a JVM of its own, its output so far, alice's token and its instances. */
    private record Dev(Process process, List<String> output, String token, List<Instance> instances) {

        static Dev start(Path home, int http, int kafka, int postgres) throws Exception {
            ProcessBuilder builder = DevCommandTest.devProcess(home, http, kafka, postgres);
            builder.command().addAll(List.of("--instances", "3"));
            Process process = builder.start();
            List<String> output = new CopyOnWriteArrayList<>();
            Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                     PrintWriter log = new PrintWriter(Files.newBufferedWriter(LOG, StandardOpenOption.CREATE, StandardOpenOption.APPEND), true)) {
                    lines.lines().forEach(line -> {
                        output.add(line);
                        log.println(line);
                    });
                } catch (IOException e) {
                    // the process ended
                }
            });
            try {
                await().atMost(Duration.ofSeconds(240)).until(() -> !process.isAlive()
                        || output.stream().anyMatch(line -> line.startsWith("Ctrl-C stops everything")));
                assertThat(process.isAlive()).as(String.join("\n", output)).isTrue();
            } catch (AssertionError | RuntimeException e) {
                process.destroy();
                process.waitFor(60, TimeUnit.SECONDS);
                throw e;
            }
            String token = output.stream().map(ALICE::matcher).filter(Matcher::find).findFirst().orElseThrow().group(1);
            List<Instance> instances = output.stream().filter(line -> !line.startsWith("[")).map(INSTANCE::matcher).filter(Matcher::find)
                    .map(m -> new Instance(m.group(1), Integer.parseInt(m.group(2)), Long.parseLong(m.group(3)))).toList();
            return new Dev(process, output, token, instances);
        }

        /** Stops dev as Ctrl-C would (SIGTERM), killing it if it has not ended in time. */
        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(90, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }
}
