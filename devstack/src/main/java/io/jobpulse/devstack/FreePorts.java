package io.jobpulse.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Finding and checking TCP ports on the loopback interface. */
public final class FreePorts {

    private FreePorts() {
    }

    /** A port free on loopback now (another process may take it before it is bound). */
    public static int pick() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on the loopback interface", e);
        }
    }

    /** Returns the port if it is free, or fails saying what needs it. */
    public static int require(int port, String what) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return port;
        } catch (IOException e) {
            throw new IllegalStateException("Port " + port + " (for " + what + ") is in use. Stop whatever holds it"
                    + " (is another './jobpulse dev' running?) or choose another port.", e);
        }
    }
}
