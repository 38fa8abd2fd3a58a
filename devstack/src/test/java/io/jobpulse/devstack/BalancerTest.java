package io.jobpulse.devstack;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The balancer against real sockets on loopback: small backends that greet each connection with
 * their name and then echo lines, or stream ticks; a port where nothing listens stands for a
 * stopped instance.
 */
class BalancerTest {

    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : closing.reversed()) {
            closeable.close();
        }
    }

    @Test
    void spreadsConnectionsOverTheBackendsInTurn() throws Exception {
        Backend a = backend("a");
        Backend b = backend("b");
        Backend c = backend("c");
        Balancer balancer = balancer(a, b, c);

        List<String> greeted = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            try (Client client = new Client(balancer)) {
                greeted.add(client.line());
            }
        }
        assertThat(greeted).containsExactly("a", "b", "c", "a", "b", "c");
    }

    @Test
    void skipsABackendThatRefusesAndEchoesThroughTheOthers() throws Exception {
        Backend a = backend("a");
        InetSocketAddress stopped = new InetSocketAddress(InetAddress.getLoopbackAddress(), FreePorts.pick());
        Backend c = backend("c");
        Balancer balancer = Balancer.start(0, List.of(a.address(), stopped, c.address()));
        closing.add(balancer);

        List<String> greeted = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            try (Client client = new Client(balancer)) {
                greeted.add(client.line());
                client.send("hello " + i);
                assertThat(client.line()).isEqualTo("hello " + i);
            }
        }
        assertThat(greeted).containsOnly("a", "c").contains("a", "c");
    }

    @Test
    void closesTheClientsConnectionWhenNoBackendAccepts() throws Exception {
        Balancer balancer = Balancer.start(0, List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), FreePorts.pick()),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), FreePorts.pick())));
        closing.add(balancer);

        try (Client client = new Client(balancer)) {
            assertThat(client.ended()).as("the connection ends").isTrue();
        }
    }

    @Test
    void aClientClosingEndsTheBackendsConnection() throws Exception {
        Backend a = backend("a");
        Balancer balancer = balancer(a);

        Client client = new Client(balancer);
        assertThat(client.line()).isEqualTo("a");
        client.close();
        assertThat(a.ends.poll(5, TimeUnit.SECONDS)).as("the backend's side of the connection ends").isEqualTo("a");
    }

    @Test
    void aBackendClosingOrResettingEndsTheClientsConnection() throws Exception {
        Backend a = backend("a");
        Balancer balancer = balancer(a);

        try (Client closed = new Client(balancer)) {
            assertThat(closed.line()).isEqualTo("a");
            a.connections.take().close();
            assertThat(closed.ended()).as("the connection of a backend that closed it ends").isTrue();
        }
        try (Client reset = new Client(balancer)) {
            assertThat(reset.line()).isEqualTo("a");
            Socket connection = a.connections.take();
            connection.setSoLinger(true, 0);
            connection.close();
            assertThat(reset.ended()).as("the connection of a backend that reset it ends").isTrue();
        }
    }

    @Test
    void aLongLivedStreamFlowsAsItComesAndEndsWithItsBackendWhileTheOthersServeNewConnections() throws Exception {
        Backend ticking = backend("ticking");
        Backend other = backend("other");
        Balancer balancer = balancer(ticking, other);

        try (Client stream = new Client(balancer)) {
            assertThat(stream.line()).isEqualTo("ticking");
            stream.send("tick");
            for (int i = 0; i < 20; i++) {
                assertThat(stream.line()).as("tick %d, each written by itself as the backend made it", i).isEqualTo("tick " + i);
            }
            ticking.close();
            assertThat(stream.ended()).as("the stream ends with its backend").isTrue();
        }
        for (int i = 0; i < 3; i++) {
            try (Client next = new Client(balancer)) {
                assertThat(next.line()).isEqualTo("other");
            }
        }
    }

    private Backend backend(String name) throws IOException {
        Backend backend = new Backend(name);
        closing.add(backend);
        return backend;
    }

    private Balancer balancer(Backend... backends) {
        Balancer balancer = Balancer.start(0, List.of(backends).stream().map(Backend::address).toList());
        closing.add(balancer);
        return balancer;
    }

    /**
     * A server that greets each connection with its name, then answers each line with the same line, or, to
     * {@code tick}, with a line every 10 ms until the connection ends. It notes the connections it accepted, and
     * its name each time one of them ends.
     */
    private static final class Backend implements AutoCloseable {
        final String name;
        final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final BlockingQueue<Socket> connections = new LinkedBlockingQueue<>();
        final BlockingQueue<String> ends = new LinkedBlockingQueue<>();
        private final List<Socket> all = new ArrayList<>();

        Backend(String name) throws IOException {
            this.name = name;
            Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket connection = server.accept();
                        synchronized (all) {
                            all.add(connection);
                        }
                        connections.add(connection);
                        Thread.ofVirtual().start(() -> serve(connection));
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
        }

        InetSocketAddress address() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
        }

        private void serve(Socket connection) {
            try (connection) {
                PrintWriter out = new PrintWriter(connection.getOutputStream(), true, StandardCharsets.UTF_8);
                BufferedReader in = new BufferedReader(new InputStreamReader(connection.getInputStream(), StandardCharsets.UTF_8));
                out.println(name);
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.equals("tick")) {
                        tick(out);
                        return;
                    }
                    out.println(line);
                }
            } catch (IOException | InterruptedException ended) {
                // the connection is over
            } finally {
                ends.add(name);
            }
        }

        private static void tick(PrintWriter out) throws InterruptedException {
            for (int i = 0; !out.checkError(); i++) {
                out.println("tick " + i);
                // a pace for a stream, not a wait for a condition
                Thread.sleep(10);
            }
        }

        /** Stops listening and closes every connection, as a killed process's would be. */
        @Override
        public void close() throws IOException {
            server.close();
            synchronized (all) {
                for (Socket connection : all) {
                    connection.close();
                }
            }
        }
    }

    /** A connection through the balancer, reading lines with a time limit. */
    private static final class Client implements AutoCloseable {
        private final Socket socket;
        private final BufferedReader in;
        private final PrintWriter out;

        Client(Balancer balancer) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), balancer.port());
            socket.setSoTimeout(5_000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out = new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8);
        }

        String line() throws IOException {
            return in.readLine();
        }

        void send(String line) {
            out.println(line);
        }

        /** Whether the connection ends (end of stream, or a reset) before the time limit, whatever comes before. */
        boolean ended() throws IOException {
            try {
                while (in.readLine() != null) {
                    // what the backend wrote before it went
                }
                return true;
            } catch (SocketException reset) {
                return true;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
