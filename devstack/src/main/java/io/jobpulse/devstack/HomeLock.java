package io.jobpulse.devstack;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The hold of one running Jobpulse on its data directory: an exclusive lock on
 * {@code <home>/lock}, which holds the pid of its owner. The operating system lets go of it when
 * the owner ends, however it ends, so a directory whose lock can be taken has no live owner, and
 * whatever its previous owner left running (a PostgreSQL) may be stopped.
 */
public final class HomeLock {

    /** The locks this process holds, kept reachable: a collected channel would be closed, and its lock let go. */
    private static final List<FileLock> HELD = new CopyOnWriteArrayList<>();

    private HomeLock() {
    }

    /**
     * Takes the directory for this process until it ends, or throws, naming the pid of the
     * process that holds it.
     */
    public static void acquire(Path home) {
        try {
            Files.createDirectories(home);
            Path file = home.resolve("lock");
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                String holder = Files.readString(file, StandardCharsets.UTF_8).strip();
                channel.close();
                throw new IllegalStateException(home.toAbsolutePath() + " is in use by another running Jobpulse"
                        + (holder.isEmpty() ? "" : " (pid " + holder + ")")
                        + ": stop it first, or give this one another data directory (JOBPULSE_HOME)");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8)));
            channel.force(false);
            HELD.add(lock);
        } catch (IOException e) {
            throw new IllegalStateException("cannot lock the data directory " + home.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }
}
