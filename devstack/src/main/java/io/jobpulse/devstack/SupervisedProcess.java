package io.jobpulse.devstack;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A child process kept running the way a container runtime keeps a container running: when it
 * exits while it should run, one line says so, and after a short pause it is started again with
 * the same command. Its output (standard output and error together) goes to a console, each line
 * after {@code [name]}. Stopping it sends SIGTERM, waits, then kills it.
 *
 * <p>Its standard input is a pipe that this process holds and never writes to: when this process
 * ends, however it ends (even by SIGKILL), the child reads the end of its input, and a child made
 * for it exits then. A child that did not is found by the next start through its pid file, which
 * names its pid and start time (so a pid reused by another process is left alone), and stopped.
 */
public final class SupervisedProcess implements AutoCloseable {

    /** The exit status of a process ended by SIGINT (128 + 2), as Ctrl-C ends a JVM. */
    private static final int INTERRUPTED = 130;
    /** How long a child ended by SIGINT waits for this process's stop before it counts as a crash. */
    private static final Duration INTERRUPT_WAIT = Duration.ofSeconds(5);

    private final String name;
    private final ProcessBuilder builder;
    private final Path pidFile;
    private final PrintStream console;
    private final Duration pause;
    private final CountDownLatch stopping = new CountDownLatch(1);
    private final AtomicInteger exits = new AtomicInteger();
    private volatile Process process;
    private final Thread keeper;

    private SupervisedProcess(String name, ProcessBuilder builder, Path pidFile, PrintStream console, Duration pause) {
        this.name = name;
        this.builder = builder.redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE)
                .redirectOutput(ProcessBuilder.Redirect.PIPE);
        this.pidFile = pidFile;
        this.console = console;
        this.pause = pause;
        // Not a daemon: a process that keeps children running lives while it does.
        this.keeper = Thread.ofPlatform().name("supervisor-" + name).unstarted(this::keepRunning);
    }

    /**
     * Starts the command now and keeps it running until {@link #close()}.
     *
     * @param pidFile where the running child's pid and start time are kept, for {@link #stopLeftOver(Path)}
     * @param pause   how long to wait before starting it again after it exited
     */
    public static SupervisedProcess start(String name, ProcessBuilder builder, Path pidFile, PrintStream console, Duration pause) {
        SupervisedProcess supervised = new SupervisedProcess(name, builder, pidFile, console, pause);
        supervised.process = supervised.launch();
        supervised.keeper.start();
        return supervised;
    }

    public String name() {
        return name;
    }

    /** The pid of the child running now (or of the last one, between an exit and the next start). */
    public long pid() {
        return process.pid();
    }

    /** How many times the child has exited while it should have run. */
    public int exits() {
        return exits.get();
    }

    private Process launch() {
        try {
            Process started = builder.start();
            Files.createDirectories(pidFile.toAbsolutePath().getParent());
            Files.writeString(pidFile, started.pid() + " " + started.info().startInstant().map(Instant::toString).orElse("") + "\n");
            // A platform thread: reading a pipe blocks the thread it runs on, and virtual threads pinned so
            // would leave none for others (the balancer's connections) on a machine with few cores.
            Thread.ofPlatform().name(name + "-output").daemon().start(() -> copyOutput(started));
            return started;
        } catch (IOException e) {
            // A problem a person can fix (a missing java, a full disk): said in one line.
            throw new IllegalStateException("cannot start " + name + ": " + e.getMessage(), e);
        }
    }

    private void copyOutput(Process child) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                console.println("[" + name + "] " + line);
            }
        } catch (IOException ended) {
            // the child is gone
        }
    }

    private void keepRunning() {
        try {
            while (true) {
                Process current = process;
                int status = current.waitFor();
                // Ctrl-C in a terminal interrupts the whole foreground process group: the child (which then exits
                // with 128 + SIGINT) and this process, whose stop follows at once. That is no crash to restart from.
                if (status == INTERRUPTED && stopping.await(INTERRUPT_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
                if (stopping.getCount() == 0) {
                    return;
                }
                exits.incrementAndGet();
                console.printf("[dev] %s (pid %d) exited with status %d; starting it again in %d s%n",
                        name, current.pid(), status, pause.toSeconds());
                if (stopping.await(pause.toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
                synchronized (this) {
                    // A stop in between must not be followed by a start that nothing would stop.
                    if (stopping.getCount() == 0) {
                        return;
                    }
                    try {
                        process = launch();
                    } catch (IllegalStateException e) {
                        console.printf("[dev] %s%n", e.getMessage());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sends the child SIGTERM, for {@link #close(Duration)} to wait on; it is not started again. */
    public synchronized void stop() {
        stopping.countDown();
        process.destroy();
    }

    /** Stops the child: SIGTERM, then SIGKILL if it has not ended within {@code grace}. */
    public void close(Duration grace) {
        stop();
        Process last = process;
        try {
            if (!last.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                console.printf("[dev] %s (pid %d) did not stop within %d s; killing it%n", name, last.pid(), grace.toSeconds());
                last.destroyForcibly().waitFor();
            }
            keeper.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            last.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException ignored) {
            // a stale pid file names a process that has ended: the next start ignores it
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }

    /**
     * Stops every child that a pid file in {@code dir} names and that still runs (the same pid,
     * started at the same instant), left by a supervisor that was killed; then deletes the files.
     */
    public static void stopLeftOver(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<Path> files;
        try (Stream<Path> listed = Files.list(dir)) {
            files = listed.filter(file -> file.getFileName().toString().endsWith(".pid")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir, e);
        }
        for (Path file : files) {
            recorded(file).ifPresent(child -> {
                child.destroy();
                try {
                    child.onExit().get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    child.destroyForcibly();
                }
            });
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // it names a process that has ended
            }
        }
    }

    /** The live process a pid file names, if the process with that pid is still the one that was started. */
    private static Optional<ProcessHandle> recorded(Path file) {
        try {
            String[] fields = Files.readString(file).strip().split(" ");
            if (fields.length < 2) {
                return Optional.empty();
            }
            Instant started = Instant.parse(fields[1]);
            return ProcessHandle.of(Long.parseLong(fields[0])).filter(ProcessHandle::isAlive)
                    .filter(handle -> handle.info().startInstant().map(started::equals).orElse(false));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
