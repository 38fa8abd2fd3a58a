package io.jobpulse.http;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one instance shows another when it reads a job's state there on its own behalf (a push
 * snapshot, an ingest check) rather than a caller's: {@code Bearer jpi_<expiry>_<mac>}, an
 * HMAC-SHA256 with a key derived from the signing key every instance shares, over the job id and
 * an expiry {@link #LIFETIME} ahead. It opens {@code GET /v1/jobs/{id}} for that one job for that
 * long and nothing else, so a copy seen on the network is worth little and for little time.
 */
public final class PeerCredential {

    /** The request header an instance sets on a read it forwards; whoever receives it answers from its own stores. */
    public static final String FORWARDED_HEADER = "Jobpulse-Forwarded";
    public static final String PREFIX = "jpi";
    static final Duration LIFETIME = Duration.ofSeconds(60);
    private static final Pattern SHAPE = Pattern.compile("jpi_([0-9]{1,12})_([A-Za-z0-9_-]{43})");

    private final SecretKeySpec key;

    /** @param signingKey {@code jobpulse.security.signing-key}, the same on every instance */
    public PeerCredential(String signingKey) {
        this.key = new SecretKeySpec(("jobpulse peer reads\0" + signingKey).getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    }

    /** A credential that reads this job until {@link #LIFETIME} from now. */
    public String mint(String jobId, Instant now) {
        long expiry = now.plus(LIFETIME).getEpochSecond();
        return PREFIX + "_" + expiry + "_" + mac(jobId, expiry);
    }

    /** Whether the credential was made by an instance with the same key, for this job, and has not expired. */
    public boolean verifies(String credential, String jobId, Instant now) {
        Optional<Matcher> parsed = Optional.ofNullable(credential).map(SHAPE::matcher).filter(Matcher::matches);
        if (parsed.isEmpty() || jobId == null) {
            return false;
        }
        long expiry = Long.parseLong(parsed.get().group(1));
        boolean authentic = MessageDigest.isEqual(mac(jobId, expiry).getBytes(StandardCharsets.US_ASCII),
                parsed.get().group(2).getBytes(StandardCharsets.US_ASCII));
        return authentic && now.getEpochSecond() <= expiry && expiry <= now.plus(LIFETIME).plusSeconds(5).getEpochSecond();
    }

    private String mac(String jobId, long expiry) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            byte[] sum = mac.doFinal((jobId + '\0' + expiry).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(sum);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
