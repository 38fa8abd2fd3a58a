package io.jobpulse.app;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The image's entry point ({@code deploy/jobpulse-entrypoint.sh}) gives {@code serve} the container's hostname as
 * {@code JOBPULSE_INSTANCE_ID} when none is set, so that every replica of a scaled compose service is a static member
 * of its groups under an id of its own that survives a restart, and passes everything else through to the jar. Run
 * with {@code sh} and a {@code java} on the PATH that prints what it was given, as the image's shell would run it.
 */
class ImageEntrypointTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path SCRIPT = ROOT.resolve("deploy/jobpulse-entrypoint.sh");
    private static final String UNSET = "<unset>";

    @TempDir
    Path bin;

    @Test
    void serveTakesTheContainersHostnameAsItsInstanceId() throws Exception {
        assertThat(run(Map.of("HOSTNAME", "3f2a9c0d1b7e"), "serve"))
                .containsExactly("JOBPULSE_INSTANCE_ID=3f2a9c0d1b7e", "--enable-native-access=ALL-UNNAMED -jar /opt/jobpulse/jobpulse.jar serve");
    }

    @Test
    void anInstanceIdThatIsSetIsKeptEvenWhenEmpty() throws Exception {
        assertThat(run(Map.of("HOSTNAME", "3f2a9c0d1b7e", "JOBPULSE_INSTANCE_ID", "node-a"), "serve")).first().isEqualTo("JOBPULSE_INSTANCE_ID=node-a");
        assertThat(run(Map.of("HOSTNAME", "3f2a9c0d1b7e", "JOBPULSE_INSTANCE_ID", ""), "serve")).first().isEqualTo("JOBPULSE_INSTANCE_ID=");
    }

    @Test
    void otherCommandsAndAContainerWithoutHostnameGetNone() throws Exception {
        assertThat(run(Map.of(), "serve")).first().isEqualTo("JOBPULSE_INSTANCE_ID=" + UNSET);
        assertThat(run(Map.of("HOSTNAME", "3f2a9c0d1b7e"), "keys", "create", "--name", "two words"))
                .containsExactly("JOBPULSE_INSTANCE_ID=" + UNSET, "--enable-native-access=ALL-UNNAMED -jar /opt/jobpulse/jobpulse.jar keys create --name two words");
    }

    @Test
    void theImageRunsTheScriptAsItsEntryPoint() throws IOException {
        String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
        assertThat(dockerfile).contains("COPY --from=build /src/deploy/jobpulse-entrypoint.sh /opt/jobpulse/entrypoint.sh",
                "ENTRYPOINT [\"/opt/jobpulse/entrypoint.sh\"]", "CMD [\"serve\"]");
        assertThat(Files.isExecutable(SCRIPT)).as(SCRIPT + " is executable, as the image copies it").isTrue();
    }

    /** The lines the stand-in {@code java} printed: the instance id it saw, then its arguments. */
    private List<String> run(Map<String, String> variables, String... args) throws IOException, InterruptedException {
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/bin/sh\necho \"JOBPULSE_INSTANCE_ID=${JOBPULSE_INSTANCE_ID-" + UNSET + "}\"\necho \"$*\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> command = new ArrayList<>(List.of("sh", SCRIPT.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> environment = builder.environment();
        environment.clear();
        environment.putAll(variables);
        environment.put("PATH", bin + ":/usr/bin:/bin");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output.lines().toList();
    }
}
