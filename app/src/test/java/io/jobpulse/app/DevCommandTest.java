package io.jobpulse.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.jobpulse.devstack.FreePorts;
import io.jobpulse.events.JobJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code jobpulse dev} (with its demo) as a person on a shared machine runs it, in a JVM of its own: it listens
 * on loopback only (read from the kernel's socket tables, so no traffic leaves loopback), keeps its secrets readable by their owner only, gives its PostgreSQL a
 * password, prints tokens that last a day, and opens its banner with the dashboard, where one click signs in as
 * one of its users. The README's tour and the commands dev prints work when pasted
 * into a shell, against that same dev: one start serves every test here.
 */
class DevCommandTest {

    /** The least time between two commands a reader pastes. */
    private static final Duration PASTING = Duration.ofMillis(300);

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern EXPORT = Pattern.compile("export ([A-Z]+)=(\\S+)");
    private static final Pattern LOCATION = Pattern.compile("(?im)^location:\\s*/v1/(?:jobs|batches)/([^\\s/]+)");

    @TempDir
    static Path home;
    private static int http;
    private static int postgres;
    private static Process dev;
    /** What dev printed up to the end of its banner. */
    private static final List<String> output = new ArrayList<>();
    /** The tokens dev printed, by the variable it exports them as (ALICE, BOB). */
    private static Map<String, String> tokens;

    @BeforeAll
    static void startDev() throws Exception {
        http = FreePorts.pick();
        int kafka = freePortWithFreeNext();
        postgres = FreePorts.pick();
        ProcessBuilder builder = devProcess(home, http, kafka, postgres);
        builder.command().add("--demo");
        dev = builder.start();
        tokens = CompletableFuture.supplyAsync(() -> readBanner(dev, output)).get(120, TimeUnit.SECONDS);
        assertThat(tokens).as(String.join("\n", output)).containsKeys("ALICE", "BOB");
    }

    @AfterAll
    static void stopDev() throws InterruptedException {
        if (dev != null) {
            dev.destroy();
            if (!dev.waitFor(60, TimeUnit.SECONDS)) {
                dev.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void devIsReachableFromThisMachineOnlyAndKeepsItsSecretsToItsOwner() throws Exception {
        assertThat(output.stream().filter(line -> line.strip().startsWith("curl")).toList()).as("every command dev prints")
                .isNotEmpty().allSatisfy(line -> assertThat(line).contains("-H \"Authorization: Bearer $"));

        try (Socket loopback = new Socket()) {
            loopback.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), http), 2_000);
        }
        assertThat(listeningAddresses(http)).as("where port " + http + " listens").isNotEmpty()
                .allMatch(address -> address.equals("0100007F") || address.equals("00000000000000000000000001000000")
                        || address.equals("0000000000000000FFFF00000100007F"));

        for (String secret : new String[] {"jwt-secret", "postgres-password", "signing-key"}) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve(secret)))).as(secret)
                    .isEqualTo("rw-------");
        }

        String url = "jdbc:postgresql://127.0.0.1:" + postgres + "/jobpulse";
        assertThatThrownBy(() -> DriverManager.getConnection(url, "postgres", "").close()).isInstanceOf(SQLException.class);
        DriverManager.getConnection(url, "postgres", Files.readString(home.resolve("postgres-password")).strip()).close();

        JWTClaimsSet claims = SignedJWT.parse(tokens.get("ALICE")).getJWTClaimsSet();
        assertThat(Duration.between(claims.getIssueTime().toInstant(), claims.getExpirationTime().toInstant())).isEqualTo(Duration.ofDays(1));
        assertThat(claims.getIssuer()).isEqualTo(DevCommand.DEV_ISSUER);
        assertThat(claims.getAudience()).containsExactly(DevCommand.DEV_AUDIENCE);
    }

    @Test
    void devOpensWithTheDashboardWhereOneClickSignsInAsItsUsers() throws Exception {
        int ready = output.indexOf(output.stream().filter(line -> line.startsWith("Jobpulse is ready")).findFirst().orElseThrow());
        assertThat(output.get(ready + 1)).as("the banner's first address").contains("Dashboard").contains("http://localhost:" + http + "/");
        HttpClient browser = HttpClient.newHttpClient();
        HttpResponse<String> page = browser.send(HttpRequest.newBuilder(URI.create("http://localhost:" + http + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<body data-dev-sign-in>");
        HttpResponse<String> signIn = browser.send(HttpRequest.newBuilder(URI.create("http://localhost:" + http + "/dev/sign-in")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(signIn.statusCode()).as(signIn.body()).isEqualTo(200);
        JsonNode users = JobJson.mapper().readTree(signIn.body()).get("users");
        assertThat(users.findValuesAsText("name")).containsExactly("alice", "bob");
        HttpResponse<String> jobs = browser.send(HttpRequest.newBuilder(URI.create("http://localhost:" + http + "/v1/jobs?limit=1"))
                .header("Authorization", "Bearer " + users.get(0).get("token").asText()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(jobs.statusCode()).as(jobs.body()).isEqualTo(200);
    }

    @Test
    void theReadmeTourAndTheCommandsDevPrintsGetTheAnswersTheyAnnounceWhenPasted() throws IOException {
        List<PastedCommands.Command> tour = PastedCommands.of(PastedCommands.codeBlocksUnder(
                Files.readString(ROOT.resolve("README.md")), "A one-minute tour"));
        assertThat(tour).as("the tour's curl commands").filteredOn(command -> command.text().startsWith("curl")).hasSizeGreaterThan(10);
        runInOrder(tour.stream().map(command -> command.with("localhost:8080", "localhost:" + http)).toList());

        List<PastedCommands.Command> printed = PastedCommands.of(output.stream().filter(line -> line.strip().startsWith("curl")).toList());
        assertThat(printed).as("the commands dev prints").hasSizeGreaterThan(5);
        runInOrder(printed);
    }

    /**
     * Runs commands one after the other as a reader would, each {@code <id>} standing for the job
     * (or batch) the last submit's answer named (its Location), and checks each answer: the status it announces
     * (else a 2xx), and for a stream, a first event. A reader pastes one command after another, a
     * moment apart: the tour's refusals (a cancel after the job succeeded) assume the previous
     * command's event has been folded, which takes milliseconds, not the no time at all between two
     * commands run by a program.
     */
    private static void runInOrder(List<PastedCommands.Command> commands) {
        List<PastedCommands.Command> assignments = new ArrayList<>();
        String job = null;
        for (PastedCommands.Command written : commands) {
            if (!written.text().startsWith("curl")) {
                assignments.add(written);
                continue;
            }
            PastedCommands.Command command = job == null ? written : written.with("<id>", job);
            assertThat(command.text()).as("a placeholder that no earlier answer fills").doesNotContainPattern("<[a-z]+>");
            pause(PASTING);
            PastedCommands.Answer answer = PastedCommands.run(assignments, command, tokens);
            String what = command.text() + "\n answered (exit " + answer.exitCode() + "):\n" + answer.output() + answer.errors();
            assertThat(command.accepts(answer.status()))
                    .as("status %d, where %s was announced: %s", answer.status(), command.announced() == 0 ? "a 2xx" : command.announced(), what)
                    .isTrue();
            if (command.streams()) {
                assertThat(answer.exitCode()).as("ended by its time limit, or by the server: " + what).isIn(0, 28);
                assertThat(answer.output()).as("a stream's first event: " + what).containsPattern("(?m)^id:");
            } else {
                assertThat(answer.exitCode()).as(what).isZero();
            }
            Matcher location = LOCATION.matcher(answer.output());
            if (location.find()) {
                job = location.group(1);
            }
        }
    }

    private static void pause(Duration time) {
        try {
            Thread.sleep(time);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void devWithATakenPortStopsAtOnceWithOneLineAndStartsNothing(@TempDir Path emptyHome) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ProcessBuilder builder = devProcess(emptyHome, taken.getLocalPort(), freePortWithFreeNext(), FreePorts.pick());
            Process stopped = builder.start();
            assertThat(stopped.waitFor(30, TimeUnit.SECONDS)).as("dev stops by itself").isTrue();
            String printed = new String(stopped.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(stopped.exitValue()).isEqualTo(1);
            assertThat(printed).contains("Port " + taken.getLocalPort() + " (for Jobpulse's HTTP server, JOBPULSE_PORT) is in use")
                    .doesNotContain("PostgreSQL up").doesNotContain("Exception");
            assertThat(emptyHome.resolve("postgres")).as("no database was started").doesNotExist();
        }
    }

    @Test
    void aSecondDevOnTheSameDataDirectoryIsRefusedAndTheFirstGoesOn() throws Exception {
        Process second = devProcess(home, FreePorts.pick(), freePortWithFreeNext(), FreePorts.pick()).start();
        try {
            assertThat(second.waitFor(30, TimeUnit.SECONDS)).as("the second dev stops by itself").isTrue();
            String printed = new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(second.exitValue()).isEqualTo(1);
            assertThat(printed).doesNotContain("Exception")
                    .contains("is in use by another running Jobpulse (pid " + dev.pid() + ")").contains("JOBPULSE_HOME");
        } finally {
            second.destroyForcibly();
        }
        assertThat(dev.isAlive()).isTrue();
        try (var connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + postgres + "/jobpulse", "postgres",
                Files.readString(home.resolve("postgres-password")).strip())) {
            assertThat(connection.isValid(5)).as("the first dev's PostgreSQL still runs").isTrue();
        }
    }

    /** {@code jobpulse dev} in a JVM of its own, on these ports, with its data in {@code home} and nothing of this JVM's environment. */
    static ProcessBuilder devProcess(Path home, int http, int kafka, int postgres) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(ServeProcess.QUICK_JVM);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Jobpulse.class.getName(), "dev"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("JOBPULSE_") || name.equals("KAFKA_BOOTSTRAP_SERVERS")
                || name.startsWith("JDBC_"));
        builder.environment().putAll(Map.of("JOBPULSE_HOME", home.toString(), "JOBPULSE_PORT", Integer.toString(http),
                "JOBPULSE_DEV_KAFKA_PORT", Integer.toString(kafka), "JOBPULSE_DEV_POSTGRES_PORT", Integer.toString(postgres),
                "JOBPULSE_STATE_DIR", home.resolve("streams").toString()));
        return builder;
    }

    /**
     * Reads dev's output to the end of its banner (with the demo, the line naming the summary), and
     * returns the tokens it exports; empty if dev ends first. The rest of its output is drained.
     */
    private static Map<String, String> readBanner(Process dev, List<String> output) {
        Map<String, String> exported = new HashMap<>();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(dev.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = lines.readLine()) != null) {
                output.add(line);
                Matcher export = EXPORT.matcher(line.strip());
                if (export.matches()) {
                    exported.put(export.group(1), export.group(2));
                }
                if (!exported.isEmpty() && line.contains("/v1/jobs/summary'")) {
                    Thread.ofVirtual().start(() -> lines.lines().forEach(rest -> { }));
                    return exported;
                }
            }
            return Map.of();
        } catch (IOException e) {
            return Map.of();
        }
    }

    /** The local addresses (as the kernel's socket tables spell them) of the sockets listening on a port. */
    private static List<String> listeningAddresses(int port) throws IOException {
        List<String> addresses = new ArrayList<>();
        String hexPort = String.format("%04X", port);
        for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            List<String> lines = Files.readAllLines(Path.of(table));
            for (String line : lines.subList(1, lines.size())) {
                String[] fields = line.strip().split("\\s+");
                String[] local = fields[1].split(":");
                if (local[1].equals(hexPort) && fields[3].equals("0A")) {
                    addresses.add(local[0]);
                }
            }
        }
        return addresses;
    }

    /** A free port whose next is free too: dev puts its broker's controller on the port after the broker's. */
    static int freePortWithFreeNext() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port = FreePorts.pick();
            try (ServerSocket next = new ServerSocket(port + 1, 1, InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no two free ports in a row on loopback");
    }
}
