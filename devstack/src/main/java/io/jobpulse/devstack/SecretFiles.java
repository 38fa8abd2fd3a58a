package io.jobpulse.devstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The dev stack's generated secrets (the JWT secret, the database password, the signing key):
 * 256 random bits each, made at first use and kept in a file that only its owner may read
 * ({@code 0600}), so other users of a shared machine cannot mint tokens or read the data.
 */
public final class SecretFiles {

    private static final SecureRandom RANDOM = new SecureRandom();

    private SecretFiles() {
    }

    /** The secret in {@code file}, made now if the file does not exist; a file others could read is narrowed to 0600. */
    public static String readOrCreate(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        if (!Files.exists(file)) {
            byte[] secret = new byte[32];
            RANDOM.nextBytes(secret);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, Base64.getUrlEncoder().withoutPadding().encodeToString(secret), StandardOpenOption.TRUNCATE_EXISTING);
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return Files.readString(file).strip();
    }
}
