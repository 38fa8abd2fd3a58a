package io.jobpulse.devstack;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One address in front of several servers on this machine, as a load balancer in front of a
 * service's instances: {@code ./jobpulse dev --instances N} puts one on its HTTP port, and tests put
 * one in front of the instances they run. Each accepted connection goes to the next backend in
 * turn (round-robin); a backend that refuses the connection (stopped, or restarting) is skipped,
 * each tried once, and when none accepts, the client's connection is closed. Bytes are then
 * copied both ways as they come, until either side closes or resets its connection: the other
 * side is closed then too, so that a client of a backend that was killed (a stream, a WebSocket)
 * sees its connection end, and reconnects through the balancer to one that lives.
 *
 * <p>Limits: a connection stays with its backend for its lifetime (as HTTP keep-alive does behind
 * any TCP balancer); a backend is judged by whether it accepts a connection, not by its health;
 * the backends see every client as coming from the balancer's address; and a client that shuts
 * down only its sending side ends the whole connection (there is no half-close).
 */
public final class Balancer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Balancer.class);
    private static final int CONNECT_TIMEOUT_MILLIS = 2_000;

    private final ServerSocket server;
    private final List<InetSocketAddress> backends;
    private final AtomicInteger next = new AtomicInteger();
    /** Both sockets of every open connection, to be closed with the balancer. */
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();

    private Balancer(ServerSocket server, List<InetSocketAddress> backends) {
        this.server = server;
        this.backends = List.copyOf(backends);
    }

    /** A balancer listening on loopback at {@code port} (0 for any free one). */
    public static Balancer start(int port, List<InetSocketAddress> backends) {
        return start(InetAddress.getLoopbackAddress(), port, backends);
    }

    /** A balancer listening on {@code host} at {@code port} (0 for any free one), in front of {@code backends}. */
    public static Balancer start(InetAddress host, int port, List<InetSocketAddress> backends) {
        if (backends.isEmpty()) {
            throw new IllegalArgumentException("a balancer needs at least one backend");
        }
        ServerSocket server;
        try {
            server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(host, port), 200);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + host.getHostAddress() + ":" + port, e);
        }
        Balancer balancer = new Balancer(server, backends);
        Thread.ofPlatform().name("balancer-" + server.getLocalPort()).daemon().start(balancer::accept);
        return balancer;
    }

    /** The port it listens on. */
    public int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Thread.ofVirtual().name("balancer-connection").start(() -> serve(client));
            } catch (IOException e) {
                if (!server.isClosed()) {
                    LOG.warn("balancer on port {}: accept failed: {}", port(), e.toString());
                }
            }
        }
    }

    private void serve(Socket client) {
        open.add(client);
        Optional<Socket> connected = connect();
        if (connected.isEmpty()) {
            LOG.debug("balancer on port {}: no backend accepts a connection; closing the client's", port());
            close(client, client);
            return;
        }
        Socket backend = connected.get();
        open.add(backend);
        if (server.isClosed()) {
            close(client, backend);
            return;
        }
        try {
            client.setTcpNoDelay(true);
            backend.setTcpNoDelay(true);
        } catch (IOException e) {
            close(client, backend);
            return;
        }
        Thread.ofVirtual().name("balancer-upstream").start(() -> copy(client, backend));
        copy(backend, client);
    }

    /** A connection to the next backend that accepts one, trying each once, starting with the next in turn. */
    private Optional<Socket> connect() {
        int first = Math.floorMod(next.getAndIncrement(), backends.size());
        for (int i = 0; i < backends.size(); i++) {
            InetSocketAddress address = backends.get((first + i) % backends.size());
            Socket socket = new Socket();
            try {
                socket.connect(address, CONNECT_TIMEOUT_MILLIS);
                return Optional.of(socket);
            } catch (IOException refused) {
                closeQuietly(socket);
            }
        }
        return Optional.empty();
    }

    /** Copies what {@code from} receives to {@code to} as it arrives; when either ends, both are closed. */
    private void copy(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
        } catch (IOException ended) {
            // a reset, or the other direction closed the sockets: either way this connection is over
        } finally {
            close(from, to);
        }
    }

    private void close(Socket one, Socket other) {
        closeQuietly(one);
        closeQuietly(other);
        open.remove(one);
        open.remove(other);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing: nothing more to do
        }
    }

    /** Stops listening and closes every open connection. */
    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing: nothing more to do
        }
        open.forEach(Balancer::closeQuietly);
        open.clear();
    }
}
