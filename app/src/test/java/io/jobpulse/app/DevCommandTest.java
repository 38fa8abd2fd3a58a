package io.jobpulse.app;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.jobpulse.devstack.FreePorts;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code jobpulse dev} (with its demo) as a person on a shared machine runs it, in a JVM of its own: it listens
 * on loopback only (read from the kernel's socket tables, so no traffic leaves loopback), keeps its secrets readable by their owner only, gives its PostgreSQL a
 * password, prints tokens that last a day, and opens with the dashboard, where one click signs in as one of its users.
 */
class DevCommandTest {

    @Test
    void devIsReachableFromThisMachineOnlyAndKeepsItsSecretsToItsOwner(@TempDir Path home) throws Exception {
        int http = FreePorts.pick();
        int kafka = freePortWithFreeNext();
        int postgres = FreePorts.pick();
        ProcessBuilder builder = devProcess(home, http, kafka, postgres);
        builder.command().add("--demo");
        Process dev = builder.start();
        try {
            List<String> output = new ArrayList<>();
            String alice = CompletableFuture.supplyAsync(() -> readUntilToken(dev, output)).get(120, TimeUnit.SECONDS);
            assertThat(alice).as(String.join("\n", output)).isNotNull();
            assertThat(output.stream().filter(line -> line.strip().startsWith("curl")).toList()).as("every command dev prints")
                    .isNotEmpty().allSatisfy(line -> assertThat(line).contains("-H \"Authorization: Bearer $"));

            try (Socket loopback = new Socket()) {
                loopback.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), http), 2_000);
            }
            int ready = output.indexOf(output.stream().filter(line -> line.startsWith("Jobpulse is ready")).findFirst().orElseThrow());
            assertThat(output.get(ready + 1)).as("the banner's first address").contains("Dashboard").contains("http://localhost:" + http + "/");
            HttpClient browser = HttpClient.newHttpClient();
            HttpResponse<String> page = browser.send(HttpRequest.newBuilder(URI.create("http://localhost:" + http + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            HttpResponse<String> signIn = browser.send(HttpRequest.newBuilder(URI.create("http://localhost:" + http + "/dev/sign-in")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(signIn.statusCode()).as(signIn.body()).isEqualTo(200);
            assertThat(signIn.body()).contains("\"name\":\"alice\"").contains("\"name\":\"bob\"");
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

            JWTClaimsSet claims = SignedJWT.parse(alice).getJWTClaimsSet();
            assertThat(Duration.between(claims.getIssueTime().toInstant(), claims.getExpirationTime().toInstant())).isEqualTo(Duration.ofDays(1));
            assertThat(claims.getIssuer()).isEqualTo(DevCommand.DEV_ISSUER);
            assertThat(claims.getAudience()).containsExactly(DevCommand.DEV_AUDIENCE);
        } finally {
            dev.destroy();
            if (!dev.waitFor(60, TimeUnit.SECONDS)) {
                dev.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void devWithATakenPortStopsAtOnceWithOneLineAndStartsNothing(@TempDir Path home) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ProcessBuilder builder = devProcess(home, taken.getLocalPort(), freePortWithFreeNext(), FreePorts.pick());
            Process dev = builder.start();
            assertThat(dev.waitFor(30, TimeUnit.SECONDS)).as("dev stops by itself").isTrue();
            String output = new String(dev.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(dev.exitValue()).isEqualTo(1);
            assertThat(output).contains("Port " + taken.getLocalPort() + " (for Jobpulse's HTTP server, JOBPULSE_PORT) is in use")
                    .doesNotContain("PostgreSQL up").doesNotContain("Exception");
            assertThat(home.resolve("postgres")).as("no database was started").doesNotExist();
        }
    }

    /** {@code jobpulse dev} in a JVM of its own, on these ports, with its data in {@code home} and nothing of this JVM's environment. */
    private static ProcessBuilder devProcess(Path home, int http, int kafka, int postgres) {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Jobpulse.class.getName(), "dev").redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("JOBPULSE_") || name.equals("KAFKA_BOOTSTRAP_SERVERS")
                || name.startsWith("JDBC_"));
        builder.environment().putAll(Map.of("JOBPULSE_HOME", home.toString(), "JOBPULSE_PORT", Integer.toString(http),
                "JOBPULSE_DEV_KAFKA_PORT", Integer.toString(kafka), "JOBPULSE_DEV_POSTGRES_PORT", Integer.toString(postgres),
                "JOBPULSE_STATE_DIR", home.resolve("streams").toString()));
        return builder;
    }

    /** Reads dev's output until it prints alice's token, and returns it; the rest is kept for a failure's message. */
    private static String readUntilToken(Process dev, List<String> output) {
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(dev.getInputStream(), StandardCharsets.UTF_8));
            String line;
            String token = null;
            // The demo's banner comes after the tokens; its last line names the summary.
            while ((line = lines.readLine()) != null) {
                output.add(line);
                if (line.strip().startsWith("export ALICE=")) {
                    token = line.strip().substring("export ALICE=".length());
                }
                if (token != null && line.contains("/v1/jobs/summary'")) {
                    Thread.ofVirtual().start(() -> lines.lines().forEach(rest -> { }));
                    return token;
                }
            }
            return null;
        } catch (IOException e) {
            return null;
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
    private static int freePortWithFreeNext() throws IOException {
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
