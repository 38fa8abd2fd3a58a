package io.jobpulse.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on loopback in front of one server, for tests of what clients do when the network
 * drops: {@link #cut()} closes every connection through it, as a failing link would. It keeps the
 * first bytes of each request, so a test can see what a reconnecting client sent.
 */
final class CuttingProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final int target;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();

    CuttingProxy(int targetPort) throws IOException {
        this.target = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::accept);
    }

    int port() {
        return listener.getLocalPort();
    }

    /** The head of every request that came through, in order. */
    List<String> requests() {
        return List.copyOf(requests);
    }

    /** Closes every connection now open through the proxy. */
    void cut() {
        for (Socket socket : open) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // Already closed: nothing to cut.
            }
        }
        open.clear();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
                open.add(client);
                open.add(server);
                Thread.ofVirtual().start(() -> pipe(client, server, true));
                Thread.ofVirtual().start(() -> pipe(server, client, false));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pipe(Socket from, Socket to, boolean request) {
        byte[] buffer = new byte[8192];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            boolean first = request;
            int read;
            while ((read = in.read(buffer)) >= 0) {
                if (first) {
                    requests.add(new String(buffer, 0, read, StandardCharsets.ISO_8859_1));
                    first = false;
                }
                out.write(buffer, 0, read);
                out.flush();
            }
        } catch (IOException e) {
            // The connection was cut or closed; the other direction ends with it.
        } finally {
            try {
                to.close();
            } catch (IOException ignored) {
                // Already closed.
            }
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        cut();
    }
}
