package io.jobpulse.ingest;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SigningKeyTest {

    private static final SigningKey KEY = new SigningKey("the signing key of these tests, 32+ bytes");
    private static final SigningKey OTHER = new SigningKey("another instance's signing key, 32+ bytes");

    @Test
    void aWebhookTokenVerifiesOnlyForItsProviderAndJob() {
        String token = KEY.webhookToken("replicate", "job-a");

        assertThat(KEY.verifiesWebhookToken("replicate", "job-a", token)).isTrue();
        assertThat(KEY.verifiesWebhookToken("replicate", "job-b", token)).as("another job").isFalse();
        assertThat(KEY.verifiesWebhookToken("fal", "job-a", token)).as("another provider").isFalse();
        assertThat(OTHER.verifiesWebhookToken("replicate", "job-a", token)).as("another key").isFalse();
        assertThat(KEY.verifiesWebhookToken("replicate", "job-a", null)).isFalse();
        assertThat(KEY.verifiesWebhookToken("replicate", "job-a", "")).isFalse();
        assertThat(token).matches("[A-Za-z0-9_-]{43}");
    }

    @Test
    void idempotentIdsAreStablePerOwnerAndKeyAndNeedTheServerKey() {
        String id = KEY.idempotentJobId("alice", "order-1");

        assertThat(KEY.idempotentJobId("alice", "order-1")).isEqualTo(id);
        assertThat(KEY.idempotentJobId("bob", "order-1")).isNotEqualTo(id);
        assertThat(OTHER.idempotentJobId("alice", "order-1")).isNotEqualTo(id);
        assertThat(id).isNotEqualTo(UUID.nameUUIDFromBytes("alice\norder-1".getBytes(StandardCharsets.UTF_8)).toString());
        assertThat(UUID.fromString(id).version()).isEqualTo(8);
        assertThat(UUID.fromString(id).variant()).isEqualTo(2);
    }

    @Test
    void refusesAMissingOrShortKeyNamingTheSetting() {
        assertThatThrownBy(() -> new SigningKey(null)).hasMessageContaining(SigningKey.PROPERTY).hasMessageContaining("JOBPULSE_SIGNING_KEY");
        assertThatThrownBy(() -> new SigningKey("short")).hasMessageContaining(SigningKey.PROPERTY).hasMessageContaining("32 bytes");
    }
}
