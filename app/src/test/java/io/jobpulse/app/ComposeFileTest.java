package io.jobpulse.app;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code docker-compose.yml} has the scaled shape docs/deployment.md describes, as the compose tool itself reads it
 * ({@code docker compose config}, or Debian's {@code docker-compose config}, 1.29): identical Jobpulse instances with
 * every role, more than one, none publishing a port, behind one proxy that publishes one; health checks on Kafka,
 * PostgreSQL and every instance; the shared secrets required. {@code config} only reads the file, so no Docker engine
 * is needed (there is none where Jobpulse is tested); nothing is started. Without a compose tool these tests are
 * skipped, saying so ({@code ./jobpulse test} installs docker-compose where it can). The proxy's configuration is
 * read for the replicas' discovery, and checked by {@code haproxy -c} where HAProxy is installed.
 */
class ComposeFileTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path COMPOSE_FILE = ROOT.resolve("docker-compose.yml");
    private static final Path PROXY_CONFIG = ROOT.resolve("deploy/haproxy.cfg");
    private static final Map<String, String> SECRETS = Map.of(
            "JOBPULSE_JWT_SECRET", "compose-file-test-jwt-secret-of-32-bytes",
            "JOBPULSE_SIGNING_KEY", "compose-file-test-signing-key-of-32-bytes");
    /** What the compose file requires besides the instances' secrets: Grafana's admin password. */
    private static final Map<String, String> REQUIRED = Map.of("GRAFANA_ADMIN_PASSWORD", "compose-file-test-grafana-password");
    private static final List<String> ALL_ROLES = List.of("ingest", "topology", "projections", "push", "notifications");
    private static final Pattern SERVER_TEMPLATE = Pattern.compile("(?m)^\\s*server-template\\s+\\S+\\s+(\\d+)\\s+(\\S+):(\\d+)\\b");

    private static List<String> compose;

    @BeforeAll
    static void findComposeTool() throws Exception {
        if (run(List.of("docker", "compose", "version"), Map.of()).exitCode() == 0) {
            compose = List.of("docker", "compose");
        } else if (NodeScript.onPath("docker-compose")) {
            compose = List.of("docker-compose");
        }
    }

    @Test
    void composeReadsTheFileAsIdenticalInstancesBehindOneProxy() throws Exception {
        Map<String, Object> config = config();
        Map<String, Object> services = map(config.get("services"));
        assertThat(services).containsOnlyKeys("kafka", "postgres", "jobpulse", "proxy", "metrics-key", "prometheus", "grafana");

        Map<String, Object> jobpulse = map(services.get("jobpulse"));
        assertThat(jobpulse).as("per-instance settings that every replica would share")
                .doesNotContainKeys("ports", "container_name", "hostname");
        assertThat(replicas(config)).as("deploy.replicas").isGreaterThan(1);
        Map<String, Object> environment = map(jobpulse.get("environment"));
        assertThat(List.of(String.valueOf(environment.get("JOBPULSE_ROLES")).split(","))).containsExactlyInAnyOrderElementsOf(ALL_ROLES);
        assertThat(environment).containsAllEntriesOf(SECRETS)
                .as("a fixed instance id would be every replica's; the state URL and token are for instances without topology")
                .doesNotContainKeys("JOBPULSE_INSTANCE_ID", "JOBPULSE_STATE_URL", "JOBPULSE_STATE_TOKEN");
        assertThat(Integer.parseInt(String.valueOf(environment.get("JOBPULSE_STANDBY_REPLICAS")))).isPositive();
        assertThat(String.valueOf(map(jobpulse.get("healthcheck")).get("test"))).contains("/health");
        Map<String, Object> dependencies = map(jobpulse.get("depends_on"));
        for (String infrastructure : List.of("kafka", "postgres")) {
            assertThat(map(dependencies.get(infrastructure))).containsEntry("condition", "service_healthy");
            assertThat(map(services.get(infrastructure))).containsKey("healthcheck").doesNotContainKey("ports");
        }

        Map<String, Object> proxy = map(services.get("proxy"));
        assertThat(list(proxy.get("ports"))).as("the one published address").hasSize(1);
        assertThat(list(proxy.get("volumes")).stream().map(ComposeFileTest::bindSource).toList())
                .as("the proxy's configuration, from the repository").contains(PROXY_CONFIG.toString());
    }

    @Test
    void composeRefusesTheFileWithoutTheSharedSecrets() throws Exception {
        Result result = run(command("config", "-q"), Map.of());
        assertThat(result.exitCode()).as(result.output()).isNotZero();
        assertThat(result.output()).contains("set JOBPULSE_JWT_SECRET to a secret of 32 or more bytes");
    }

    @Test
    void theProxyFindsEveryReplicaByTheServiceName() throws Exception {
        String proxyConfig = Files.readString(PROXY_CONFIG);
        Matcher template = SERVER_TEMPLATE.matcher(proxyConfig);
        assertThat(template.find()).as("a server-template line in " + PROXY_CONFIG).isTrue();
        assertThat(template.group(2)).as("the name Docker's DNS resolves to every replica").isEqualTo("jobpulse");
        assertThat(template.group(3)).isEqualTo("8080");
        // The compose file as written: this check needs no compose tool.
        Map<String, Object> written = map(new Yaml().load(Files.readString(COMPOSE_FILE)));
        assertThat(Integer.parseInt(template.group(1))).as("slots for the replicas").isGreaterThanOrEqualTo(replicas(written));
        assertThat(proxyConfig).contains("nameserver docker 127.0.0.11:53", "uri /health", "option redispatch", "option http-no-delay");
    }

    /**
     * Prometheus reads its configuration and rules from the repository and the scrape's API key from the volume
     * the one-shot metrics-key service writes it to; Grafana publishes one port and provisions from the repository.
     */
    @Test
    void composeRunsPrometheusAndGrafanaOnTheRepositorysFiles() throws Exception {
        Map<String, Object> services = map(config().get("services"));
        Map<String, Object> prometheus = map(services.get("prometheus"));
        assertThat(list(prometheus.get("volumes")).stream().map(ComposeFileTest::bindSource).toList()).contains(
                ROOT.resolve("deploy/prometheus/prometheus.yml").toString(), ROOT.resolve("deploy/prometheus/alerts.yml").toString());
        assertThat(prometheus).doesNotContainKey("ports");
        assertThat(map(map(prometheus.get("depends_on")).get("metrics-key"))).containsEntry("condition", "service_completed_successfully");
        assertThat(String.valueOf(map(services.get("metrics-key")).get("command"))).contains("keys create", "jobpulse:admin");
        Map<String, Object> grafana = map(services.get("grafana"));
        assertThat(list(grafana.get("ports"))).hasSize(1);
        assertThat(list(grafana.get("volumes")).stream().map(ComposeFileTest::bindSource).toList()).contains(
                ROOT.resolve("deploy/grafana/provisioning").toString(), ROOT.resolve("deploy/grafana/dashboards").toString());
        assertThat(map(grafana.get("environment"))).containsEntry("GF_SECURITY_ADMIN_PASSWORD", REQUIRED.get("GRAFANA_ADMIN_PASSWORD"));
    }

    @Test
    void haproxyAcceptsTheProxyConfiguration() throws Exception {
        Assumptions.assumeTrue(NodeScript.onPath("haproxy"), "haproxy is not installed: deploy/haproxy.cfg is not checked by haproxy -c");
        Result result = run(List.of("haproxy", "-c", "-f", PROXY_CONFIG.toString()), Map.of());
        assertThat(result.exitCode()).as(result.output()).isZero();
    }

    /** The file as the compose tool resolves it, with the secrets it requires set. */
    private static Map<String, Object> config() throws Exception {
        Map<String, String> environment = new HashMap<>(SECRETS);
        environment.putAll(REQUIRED);
        Result result = run(command("config"), environment);
        assertThat(result.exitCode()).as(String.join(" ", command("config")) + ":\n" + result.output()).isZero();
        return map(new Yaml().load(result.stdout()));
    }

    private static int replicas(Map<String, Object> composeFile) {
        return ((Number) map(map(map(composeFile.get("services")).get("jobpulse")).get("deploy")).get("replicas")).intValue();
    }

    private static List<String> command(String... args) {
        Assumptions.assumeTrue(compose != null,
                "no compose tool (docker compose, docker-compose): docker-compose.yml is not checked; ./jobpulse test installs docker-compose as root");
        List<String> command = new ArrayList<>(compose);
        command.addAll(List.of("-f", COMPOSE_FILE.toString()));
        command.addAll(List.of(args));
        return command;
    }

    /** The host side of a bind mount, in docker-compose 1.29's short form or docker compose's long one. */
    private static String bindSource(Object volume) {
        return volume instanceof Map<?, ?> mount ? String.valueOf(mount.get("source")) : String.valueOf(volume).split(":")[0];
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        assertThat(value).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    private static List<?> list(Object value) {
        assertThat(value).isInstanceOf(List.class);
        return (List<?>) value;
    }

    private record Result(int exitCode, String stdout, String output) {
    }

    /** Runs a command to its end with only the variables given and PATH and HOME: none of the caller's secrets. */
    private static Result run(List<String> command, Map<String, String> variables) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile());
        builder.environment().keySet().retainAll(List.of("PATH", "HOME"));
        builder.environment().putAll(variables);
        Path stderr = Files.createTempFile("compose-file-test", ".err");
        try {
            Process process;
            try {
                process = builder.redirectError(stderr.toFile()).start();
            } catch (IOException notInstalled) {
                return new Result(127, "", String.valueOf(notInstalled.getMessage()));
            }
            String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(1, TimeUnit.MINUTES)).as(String.join(" ", command) + " ends").isTrue();
            return new Result(process.exitValue(), stdout, stdout + Files.readString(stderr));
        } finally {
            Files.deleteIfExists(stderr);
        }
    }
}
