package io.jobpulse.app;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** {@code jobpulse serve} in a JVM of its own, as an operator runs it: one that can be killed for real. */
record ServeProcess(Process process, int port, Path log) implements AutoCloseable {

    /**
     * JVM options for every Jobpulse JVM a test starts (serve, dev and the instances dev starts, which take dev's options, and
     * the command line's commands): the client compiler only and the serial collector, so that a JVM that lives for seconds
     * or minutes does not spend the suite's two cores compiling and collecting in parallel threads.
     */
    static final List<String> QUICK_JVM = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    /** Starts it with these properties (as {@code -D} options) on its own HTTP port; its output goes to {@code log}. */
    static ServeProcess start(Map<String, ?> properties, int port, Path log) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx384m"));
        command.addAll(QUICK_JVM);
        command.addAll(List.of("-cp", System.getProperty("java.class.path")));
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-Dmicronaut.server.port=" + port);
        command.add(Jobpulse.class.getName());
        command.add("serve");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        return new ServeProcess(process, port, log);
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    boolean listens() {
        return listens(port);
    }

    /** Whether something accepts connections on the port, on loopback. */
    static boolean listens(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    long pid() {
        return process.pid();
    }

    /** SIGKILL: nothing of the process runs after it, no shutdown hook, no leaving of groups. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM, as an orchestrator stops a container: a clean stop, waited for. */
    boolean stop() throws InterruptedException {
        process.destroy();
        return process.waitFor(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive() && !stop()) {
            kill();
        }
    }
}
