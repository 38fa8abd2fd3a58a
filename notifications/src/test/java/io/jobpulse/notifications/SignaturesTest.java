package io.jobpulse.notifications;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SignaturesTest {

    private static final byte[] BODY = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);

    @Test
    void signsTheStandardWebhooksKnownAnswer() {
        assertThat(Signatures.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, BODY, List.of("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")))
                .isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    @Test
    void signsOncePerSecretDuringARotation() {
        String fresh = Signatures.newSecret();
        String old = Signatures.newSecret();
        String both = Signatures.sign("msg_1", 1, BODY, List.of(fresh, old));
        assertThat(both).isEqualTo(Signatures.sign("msg_1", 1, BODY, List.of(fresh)) + " " + Signatures.sign("msg_1", 1, BODY, List.of(old)));
        assertThat(fresh).startsWith("whsec_").isNotEqualTo(old);
    }
}
