package io.jobpulse.devstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * The dev stack's generated secrets (the JWT secret, the database password, the signing key):
 * 256 random bits each, made at first use and kept in a file that only its owner may read
 * ({@code 0600}), so other users of a shared machine cannot mint tokens or read the data; and
 * other files that hold such secrets (the settings dev hands its instances), kept the same way.
 */
public final class SecretFiles {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private SecretFiles() {
    }

    /** The secret in {@code file}, made now if the file does not exist; a file others could read is narrowed to 0600. */
    public static String readOrCreate(Path file) throws IOException {
        if (!Files.exists(file)) {
            byte[] secret = new byte[32];
            RANDOM.nextBytes(secret);
            write(file, Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
        }
        Files.setPosixFilePermissions(file, OWNER_ONLY);
        return Files.readString(file).strip();
    }

    /** Writes {@code content} (made of secrets) to {@code file}, readable by its owner only from before the first byte. */
    public static void write(Path file, String content) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        if (!Files.exists(file)) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        }
        Files.setPosixFilePermissions(file, OWNER_ONLY);
        Files.writeString(file, content, StandardOpenOption.TRUNCATE_EXISTING);
    }
}
