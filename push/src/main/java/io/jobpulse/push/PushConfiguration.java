package io.jobpulse.push;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import io.micronaut.core.convert.format.ReadableBytes;

import java.time.Duration;

/**
 * Settings of the push role ({@code jobpulse.push.*}).
 *
 * @param heartbeat  how often an idle stream gets a {@code heartbeat} event, to keep proxies from closing it
 * @param retry      the reconnection delay advised to SSE clients
 * @param bufferSize how many updates may wait for one slow subscriber before it is disconnected
 * @param coalesceAge how long the oldest of more than 16 waiting updates must have waited before a newer version of a
 *                    job replaces its waiting one: a subscriber that takes a burst within it gets every version
 * @param historySize how many recent changes this instance keeps for subscribers that resume
 * @param readyWait  how long a new subscription waits for the status feed to be positioned
 * @param maxConnectionsPerCaller how many streams and sockets one user or API key may hold open on an instance
 * @param maxSubscriptionsPerSocket how many subscriptions one WebSocket may hold
 * @param tokenExpiringNotice how long before a stream token's stream ends it is sent {@code token-expiring}
 * @param historyBytes how many bytes of changes (as read from the topic) the history keeps at most, whatever {@code historySize}
 * @param socketMessagesPerSecond how many messages per second a WebSocket client may send
 * @param socketMessageBurst how many of those may come at once
 * @param socketRefusalsBeforeClose how many messages in a row over that rate are answered with an error before the
 *                                  socket is closed (1008)
 * @param maxLogReplay the most records of {@code jobpulse.job-status} a resume reads back from the topic when it
 *                     starts before the history: a multi-job one from its cursor (a longer replay is answered
 *                     with a reset), a one-job one in the job's partition looking for its next version (not
 *                     found within them, it gets the current state)
 * @param readUncommitted whether the status feed, and the reads back from the topic behind a resume, see a
 *                        change as soon as the topology has written it (read_uncommitted) rather than once
 *                        its transaction has committed, one commit cycle later; what a subscriber may then
 *                        see of an aborted transaction is in docs/streaming.md
 */
@ConfigurationProperties("jobpulse.push")
public record PushConfiguration(
        @Bindable(defaultValue = "15s") Duration heartbeat,
        @Bindable(defaultValue = "2s") Duration retry,
        @Bindable(defaultValue = "256") int bufferSize,
        @Bindable(defaultValue = "250ms") Duration coalesceAge,
        @Bindable(defaultValue = "10000") int historySize,
        @Bindable(defaultValue = "10s") Duration readyWait,
        @Bindable(defaultValue = "20") int maxConnectionsPerCaller,
        @Bindable(defaultValue = "100") int maxSubscriptionsPerSocket,
        @Bindable(defaultValue = "30s") Duration tokenExpiringNotice,
        @Bindable(defaultValue = "32MB") @ReadableBytes long historyBytes,
        @Bindable(defaultValue = "20") double socketMessagesPerSecond,
        @Bindable(defaultValue = "40") double socketMessageBurst,
        @Bindable(defaultValue = "10") int socketRefusalsBeforeClose,
        @Bindable(defaultValue = "100000") long maxLogReplay,
        @Bindable(defaultValue = "true") boolean readUncommitted) {

    /** The isolation level of every reader of {@code jobpulse.job-status} in the push role. */
    public String isolationLevel() {
        return readUncommitted ? "read_uncommitted" : "read_committed";
    }
}
