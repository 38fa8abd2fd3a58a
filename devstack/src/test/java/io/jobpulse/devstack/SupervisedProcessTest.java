package io.jobpulse.devstack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A supervised child, here a shell, as a container runtime would keep it: output, restarts, stop, and what a killed supervisor left. */
class SupervisedProcessTest {

    private final StringBuffer printed = new StringBuffer();
    private final PrintStream console = new PrintStream(new OutputStream() {
        @Override
        public void write(int b) {
            printed.append((char) b);
        }
    }, true, StandardCharsets.UTF_8);

    @Test
    void aChildThatExitsIsSaidToAndStartedAgainAfterThePauseWithItsOutputAfterItsName(@TempDir Path dir) throws Exception {
        ProcessBuilder shell = new ProcessBuilder("sh", "-c", "echo up as $$; exec sleep 60");
        try (SupervisedProcess child = SupervisedProcess.start("one", shell, dir.resolve("one.pid"), console, Duration.ofMillis(200))) {
            long first = child.pid();
            await().atMost(Duration.ofSeconds(10)).until(() -> printed.toString().contains("[one] up as " + first));
            assertThat(Files.readString(dir.resolve("one.pid"))).startsWith(first + " ");

            ProcessHandle.of(first).orElseThrow().destroyForcibly();
            await().atMost(Duration.ofSeconds(10)).until(() -> child.pid() != first);
            assertThat(printed.toString()).contains("[dev] one (pid " + first + ") exited with status 137; starting it again");
            await().atMost(Duration.ofSeconds(10)).until(() -> printed.toString().contains("[one] up as " + child.pid()));
            assertThat(child.exits()).isEqualTo(1);
        }
    }

    @Test
    void stoppingEndsTheChildWithSigtermOrElseKillsItAndStartsNothingAgain(@TempDir Path dir) throws Exception {
        ProcessBuilder polite = new ProcessBuilder("sleep", "60");
        SupervisedProcess child = SupervisedProcess.start("polite", polite, dir.resolve("polite.pid"), console, Duration.ofMillis(100));
        ProcessHandle handle = ProcessHandle.of(child.pid()).orElseThrow();
        child.close(Duration.ofSeconds(10));
        assertThat(handle.isAlive()).isFalse();
        assertThat(dir.resolve("polite.pid")).doesNotExist();

        ProcessBuilder stubborn = new ProcessBuilder("sh", "-c", "trap '' TERM; echo ready; while :; do sleep 1; done");
        SupervisedProcess deaf = SupervisedProcess.start("deaf", stubborn, dir.resolve("deaf.pid"), console, Duration.ofMillis(100));
        await().atMost(Duration.ofSeconds(10)).until(() -> printed.toString().contains("[deaf] ready"));
        ProcessHandle deafHandle = ProcessHandle.of(deaf.pid()).orElseThrow();
        deaf.close(Duration.ofMillis(500));
        assertThat(deafHandle.isAlive()).isFalse();
        assertThat(printed.toString()).contains("did not stop within").doesNotContain("starting it again");
    }

    @Test
    void aChildEndedByCtrlCAlongWithItsSupervisorIsNotStartedAgain(@TempDir Path dir) throws Exception {
        ProcessBuilder interrupted = new ProcessBuilder("sh", "-c", "echo ready; sleep 0.2; exit 130");
        SupervisedProcess child = SupervisedProcess.start("interrupted", interrupted, dir.resolve("interrupted.pid"), console,
                Duration.ofMillis(100));
        await().atMost(Duration.ofSeconds(10)).until(() -> printed.toString().contains("[interrupted] ready"));
        ProcessHandle handle = ProcessHandle.of(child.pid()).orElseThrow();
        // The shell exits as Ctrl-C would have it, and the stop follows.
        await().atMost(Duration.ofSeconds(10)).until(() -> !handle.isAlive());
        child.close(Duration.ofSeconds(5));
        assertThat(printed.toString()).doesNotContain("exited").doesNotContain("starting it again");
        assertThat(child.exits()).isZero();
    }

    @Test
    void whatAKilledSupervisorLeftIsStoppedButAPidNowOfAnotherProcessIsLeftAlone(@TempDir Path dir) throws Exception {
        Process left = new ProcessBuilder("sleep", "60").start();
        Process other = new ProcessBuilder("sleep", "60").start();
        try {
            Files.writeString(dir.resolve("left.pid"), left.pid() + " " + left.info().startInstant().orElseThrow() + "\n");
            Files.writeString(dir.resolve("reused.pid"), other.pid() + " " + Instant.EPOCH + "\n");

            SupervisedProcess.stopLeftOver(dir);

            assertThat(left.waitFor(10, TimeUnit.SECONDS)).as("the child left running is stopped").isTrue();
            assertThat(other.isAlive()).as("a process that only has the pid is left alone").isTrue();
            try (var files = Files.list(dir)) {
                assertThat(files.toList()).isEqualTo(List.of());
            }
        } finally {
            left.destroyForcibly();
            other.destroyForcibly();
        }
    }
}
