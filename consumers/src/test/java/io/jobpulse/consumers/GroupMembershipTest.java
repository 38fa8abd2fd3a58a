package io.jobpulse.consumers;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class GroupMembershipTest {

    @Test
    void withAnInstanceIdEachConsumerOfAGroupIsAStaticMemberNamedByInstanceGroupAndIndex() {
        GroupMembership membership = new GroupMembership("node-a", Duration.ofSeconds(10), Duration.ofSeconds(5));

        assertThat(membership.consumerSettings("jobpulse-projections", 2))
                .containsEntry(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "node-a.jobpulse-projections.2")
                .containsEntry(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000)
                .containsEntry(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500);
        assertThat(membership.groupInstanceId("jobpulse-poller", 0)).isEqualTo("node-a.jobpulse-poller.0");
    }

    @Test
    void withoutAnInstanceIdMembersAreDynamicButKeepTheShortSession() {
        GroupMembership membership = new GroupMembership("  ", null, null);

        assertThat(membership.instanceId()).isNull();
        assertThat(membership.consumerSettings("jobpulse-projections", 0))
                .doesNotContainKey(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG)
                .containsEntry(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
    }

    @Test
    void theHeartbeatIsHalfASecondAndAtMostAThirdOfTheSession() {
        assertThat(new GroupMembership(null, Duration.ofSeconds(45), Duration.ofSeconds(5)).consumerSettings("g", 0))
                .containsEntry(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500);
        assertThat(new GroupMembership(null, Duration.ofMillis(900), Duration.ofSeconds(5)).consumerSettings("g", 0))
                .containsEntry(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 300);
    }
}
