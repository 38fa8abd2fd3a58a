package io.jobpulse.app.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Credentials of the form {@code <prefix>_<id>_<secret>}: a public id to find the stored record
 * by, and 256 random bits. Only the SHA-256 of the whole credential is stored; with that much
 * entropy a slow hash adds nothing.
 */
final class Secrets {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern SHAPE = Pattern.compile("([a-z]+)_([0-9a-f]{16})_([A-Za-z0-9_-]{43})");

    /** A parsed credential: its prefix, public id and the whole text. */
    record Parsed(String prefix, String id, String whole) {
    }

    private Secrets() {
    }

    static String create(String prefix) {
        byte[] id = new byte[8];
        byte[] secret = new byte[32];
        RANDOM.nextBytes(id);
        RANDOM.nextBytes(secret);
        return prefix + "_" + HexFormat.of().formatHex(id) + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    static Optional<Parsed> parse(String credential, String prefix) {
        if (credential == null || credential.length() > 100) {
            return Optional.empty();
        }
        Matcher matcher = SHAPE.matcher(credential);
        return matcher.matches() && matcher.group(1).equals(prefix)
                ? Optional.of(new Parsed(prefix, matcher.group(2), credential)) : Optional.empty();
    }

    static byte[] hash(String credential) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(credential.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Compares in time independent of where the hashes differ. */
    static boolean matches(String credential, byte[] storedHash) {
        return MessageDigest.isEqual(hash(credential), storedHash);
    }
}
