package io.jobpulse.consumers;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * How this instance's consumers take part in their groups ({@code jobpulse.consumers.*}): the same
 * rules for every group Jobpulse runs (the projectors, the poller, cancel propagation).
 *
 * <p>With an {@code instance-id}, each member is static: its {@code group.instance.id} is
 * {@code <instance-id>.<group>.<member>}, so an instance restarted with the same id, even after a
 * {@code kill -9}, takes its partitions straight back with no rebalance, instead of waiting for the
 * group to time out the member it replaces. Two running instances must never share an id (the
 * second fences the first). Without one, members are dynamic and a restart waits for the old
 * member's session to expire. Either way the session is {@code session-timeout} (Kafka's default
 * is 45 s), which bounds how long the partitions of an instance that died and does not come back
 * stay unread; and a member that stops cleanly leaves its group at once ({@link #leave}), static
 * or not, so its partitions move to the others without waiting for anything.
 *
 * @param instanceId     a stable identity of this instance in its consumer groups, or null
 * @param sessionTimeout how long a member that stopped heartbeating (killed, hung) keeps its partitions
 * @param lagInterval    how often the groups' lag is read from the broker ({@link ConsumerGroupLag})
 */
@ConfigurationProperties("jobpulse.consumers")
public record GroupMembership(
        @Nullable String instanceId,
        @Bindable(defaultValue = "10s") Duration sessionTimeout,
        @Bindable(defaultValue = "5s") Duration lagInterval) {

    /** Dynamic members with the default session: what a consumer gets with no configuration. */
    public static final GroupMembership DEFAULT = new GroupMembership(null, Duration.ofSeconds(10), Duration.ofSeconds(5));

    /** How long a clean stop waits for the group to take the member's leave. */
    private static final Duration LEAVE_TIMEOUT = Duration.ofSeconds(2);
    /**
     * The longest heartbeat interval (Kafka's default is 3 s), and at most a third of the session so that a
     * member is not timed out between two. A member learns that its group rebalances from a heartbeat's answer,
     * and the rebalance waits for every member to rejoin: with 3 s heartbeats an instance's death or departure
     * held the other members' work up to 3 s more; half a second costs the broker a few small requests.
     */
    private static final long MAX_HEARTBEAT_MS = 500;

    public GroupMembership {
        if (sessionTimeout == null) {
            sessionTimeout = DEFAULT.sessionTimeout();
        }
        if (lagInterval == null) {
            lagInterval = DEFAULT.lagInterval();
        }
        if (instanceId != null && instanceId.isBlank()) {
            instanceId = null;
        }
    }

    /** The {@code group.instance.id} of this instance's {@code member}-th consumer in {@code group}, or null when members are dynamic. */
    @Nullable
    public String groupInstanceId(String group, int member) {
        return instanceId == null ? null : instanceId + "." + group + "." + member;
    }

    /** The consumer settings of this instance's {@code member}-th consumer in {@code group}. */
    public Map<String, Object> consumerSettings(String group, int member) {
        Map<String, Object> settings = new HashMap<>();
        long session = sessionTimeout.toMillis();
        settings.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) session);
        settings.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) Math.min(MAX_HEARTBEAT_MS, session / 3));
        String groupInstanceId = groupInstanceId(group, member);
        if (groupInstanceId != null) {
            settings.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, groupInstanceId);
        }
        return settings;
    }

    /**
     * Closes a consumer, leaving its group at once even if it is a static member (which a plain
     * {@code close()} does not do: a static member is kept until its session expires).
     */
    public static void leave(Consumer<?, ?> consumer) {
        consumer.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(LEAVE_TIMEOUT));
    }
}
