package io.jobpulse.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jobpulse.events.JobJson;
import io.jobpulse.events.Roles;
import io.jobpulse.events.TokenBucket;
import io.jobpulse.http.Caller;
import io.jobpulse.http.Problem;
import io.jobpulse.http.ProblemException;
import io.jobpulse.http.ProblemType;
import io.jobpulse.http.Routes;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.websocket.CloseReason;
import io.micronaut.websocket.WebSocketSession;
import io.micronaut.websocket.annotation.OnClose;
import io.micronaut.websocket.annotation.OnMessage;
import io.micronaut.websocket.annotation.OnOpen;
import io.micronaut.websocket.annotation.ServerWebSocket;
import jakarta.inject.Named;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.BaseSubscriber;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * {@code GET /v1/ws}: the same subscriptions as the SSE streams, several on one WebSocket,
 * managed by JSON messages. The client sends
 * <pre>
 * {"type":"subscribe","id":"s1","job":"&lt;job id&gt;","lastVersion":3}
 * {"type":"subscribe","id":"s2","filter":{"types":[...],"tag":"...","statuses":[...]},"cursor":"&lt;eventId&gt;"}
 * {"type":"subscribe","id":"s3","batch":"&lt;batch id&gt;","lastVersion":4,"jobs":true}
 * {"type":"unsubscribe","id":"s1"}
 * {"type":"renew","token":"jst_..."}
 * {"type":"ping"}
 * </pre>
 * and receives {@code subscribed}, {@code update} (with {@code event} = status or progress,
 * {@code eventId} = the version or the cursor to resume from, and the update; for a batch,
 * {@code event} = batch with the batch's version, or job with no {@code eventId}), {@code reset},
 * {@code end} (a job subscription after its terminal state, a batch's after it finished), {@code unsubscribed},
 * {@code token-expiring} and {@code renewed} (a socket opened with a stream token or a JWT),
 * {@code error} (with a problem object) and {@code pong}. The server pings every
 * {@code jobpulse.push.heartbeat}. Each subscription is delivered as the socket takes it: one
 * message in flight at a time, the rest waiting and coalescing in its {@link Subscriber}.
 *
 * <p>A socket's messages are handled one at a time, in the order they came ({@link Inbox}, off the
 * event loop), and every one is answered in that order, failures included: an {@code unsubscribe}
 * right after its {@code subscribe} finds the subscription and ends it. Everything the socket sends
 * goes out in the order it was decided ({@link Connection#send}), so nothing of a subscription
 * follows its {@code unsubscribed}.
 *
 * <p>This class is the WebSocket transport only: what a subscription asks for is read by
 * {@link SubscriptionRequests}, and the life of the socket's credential is {@link CredentialLifetimes},
 * as for SSE.
 *
 * <p>What a client may send is bounded: a message is at most {@link #MAX_MESSAGE_BYTES} (a larger
 * one, in one frame or several, closes the socket with 1009), and messages come at most at
 * {@code jobpulse.push.socket-messages-per-second} (bursts of {@code socket-message-burst}). A
 * message over that rate, or sent while {@link #MAX_WAITING_MESSAGES} of its socket's messages still
 * wait to be handled, is not read; it is answered, in its turn, with an {@code error} carrying a 429
 * problem, and after {@code socket-refusals-before-close} of those in a row the socket is closed
 * with 1008 {@code rate-limited}.
 */
@ServerWebSocket(Routes.SOCKET)
@Requires(property = Roles.PROPERTY, pattern = Roles.PUSH)
public class WebSocketTransport {

    private static final Logger LOG = LoggerFactory.getLogger(WebSocketTransport.class);
    private static final String CONNECTION = "jobpulse.connection";
    /** The largest message a client may send: a subscribe with a filter is a few hundred bytes. */
    public static final int MAX_MESSAGE_BYTES = 16 * 1024;
    /**
     * The most messages of one socket that wait to be handled: a client that does not read its
     * answers holds up its own messages, and this bounds what they keep.
     */
    public static final int MAX_WAITING_MESSAGES = 64;

    private final Subscriptions subscriptions;
    private final BatchSubscriptions batches;
    private final Heartbeats heartbeats;
    private final ConnectionLimits connections;
    private final CredentialLifetimes lifetimes;
    private final PushConfiguration config;
    private final ExecutorService blocking;

    public WebSocketTransport(Subscriptions subscriptions, BatchSubscriptions batches, Heartbeats heartbeats, ConnectionLimits connections, CredentialLifetimes lifetimes,
                        PushConfiguration config, @Named(TaskExecutors.BLOCKING) ExecutorService blocking) {
        this.subscriptions = subscriptions;
        this.batches = batches;
        this.connections = connections;
        this.lifetimes = lifetimes;
        this.config = config;
        this.heartbeats = heartbeats;
        this.blocking = blocking;
    }

    /** One socket's caller (renewed by fresh stream tokens), subscriptions by the client's ids, messages waiting, and timers. */
    private static final class Connection {
        final WebSocketSession session;
        /** Each subscription by the client's id, as what ends it (which is also its identity). */
        final Map<String, Runnable> subscribers = new ConcurrentHashMap<>();
        volatile Caller caller;
        Runnable release = () -> { };
        Disposable pings;
        volatile Disposable expiry = Disposables.single();
        final TokenBucket messages;
        final Inbox inbox;
        /** Messages refused in a row for their rate. */
        final AtomicInteger refused = new AtomicInteger();
        /** Refused too often: closed once the answers before are sent, and nothing more is read. Event loop only. */
        boolean closing;
        private boolean closed;

        Connection(WebSocketSession session, Caller caller, TokenBucket messages, Inbox inbox) {
            this.session = session;
            this.caller = caller;
            this.messages = messages;
            this.inbox = inbox;
        }

        /**
         * Sends a message after every one sent before it on this socket: answers, updates and notices
         * are sent from several threads, and a subscription's updates are sent only while it is held
         * ({@link #sendUpdate}), under the same lock as its removal.
         */
        synchronized CompletableFuture<?> send(ObjectNode message) {
            return session.isOpen() ? session.sendAsync(message.toString()) : CompletableFuture.completedFuture(null);
        }

        /** Sends an update of a subscription unless it has been removed; null if it has. */
        synchronized CompletableFuture<?> sendUpdate(String id, Runnable subscription, ObjectNode update) {
            return subscribers.get(id) == subscription && session.isOpen() ? session.sendAsync(update.toString()) : null;
        }

        synchronized Runnable remove(String id) {
            return subscribers.remove(id);
        }

        /** Holds a new subscription under the client's id; false once the socket is closed (messages may still be waiting then). */
        synchronized boolean hold(String id, Runnable subscription) {
            if (closed) {
                return false;
            }
            subscribers.put(id, subscription);
            return true;
        }

        /** The subscriptions held at the close; none is held after it. */
        synchronized List<Runnable> close() {
            closed = true;
            List<Runnable> held = List.copyOf(subscribers.values());
            subscribers.clear();
            return held;
        }

        /** Sends an answer and waits until it is written, so that a socket that does not read holds up only its own messages. */
        void answer(ObjectNode message) throws InterruptedException {
            try {
                send(message).get();
            } catch (ExecutionException notSent) {
                // The socket is closing; its close ends what is left.
            }
        }
    }

    @OnOpen
    public void open(WebSocketSession session, HttpRequest<?> request) {
        Caller caller = request.getAttribute(Caller.ATTRIBUTE, Caller.class).orElse(null);
        Connection connection = new Connection(session, caller,
                new TokenBucket(config.socketMessagesPerSecond(), Math.max(1, config.socketMessageBurst()), Instant.now()),
                new Inbox(blocking));
        session.put(CONNECTION, connection);
        try {
            if (caller == null) {
                throw new ProblemException(ProblemType.UNAUTHORIZED, "Connect with a bearer token or ?token=<stream token>.");
            }
            caller.requireSubscribe();
            connection.release = connections.open(caller, PushMetrics.Transport.WEBSOCKET);
        } catch (ProblemException refused) {
            session.close(new CloseReason(CloseReason.POLICY_VIOLATION.getCode(), refused.problem().type().replaceFirst(".*/", "")));
            return;
        }
        connection.pings = heartbeats.ticks()
                .subscribe(tick -> session.sendPingAsync("ping".getBytes(StandardCharsets.US_ASCII)));
        scheduleExpiry(session, connection);
    }

    /**
     * A socket opened with a credential that expires (a stream token, a JWT) is told
     * {@code token-expiring} before its time is up, and closed when it is, unless a {@code renew}
     * message brought a fresh stream token. A socket opened with an API key is closed once the key
     * is revoked.
     */
    private void scheduleExpiry(WebSocketSession session, Connection connection) {
        connection.expiry.dispose();
        connection.expiry = lifetimes.of(connection.caller).subscribe(moment -> {
            switch (moment) {
                case CredentialLifetimes.Expiring expiring -> connection.send(reply("token-expiring", null)
                        .put("expiresAt", expiring.expiresAt().toString())
                        .put("detail", "Send {\"type\":\"renew\",\"token\":\"<fresh stream token>\"} before then to keep this socket."));
                case CredentialLifetimes.Ended ended -> session.close(new CloseReason(CloseReason.POLICY_VIOLATION.getCode(), ended.reason()));
            }
        });
    }

    /** A fresh stream token for the same owner, covering at least the jobs of the one it replaces. */
    private void renew(WebSocketSession session, Connection connection, String id, JsonNode message) throws InterruptedException {
        connection.caller = lifetimes.renew(connection.caller, message.path("token").asText(""));
        scheduleExpiry(session, connection);
        connection.answer(reply("renewed", id).put("expiresAt", connection.caller.expiresAt().toString()));
    }

    /**
     * Takes a message on the event loop: its rate is judged as it arrives, and it is queued to be
     * handled, or its refusal to be sent, after the socket's messages before it.
     */
    @OnMessage(maxPayloadLength = MAX_MESSAGE_BYTES)
    public void message(String text, WebSocketSession session) {
        Connection connection = session.get(CONNECTION, Connection.class).orElseThrow();
        if (connection.closing) {
            return;
        }
        Instant now = Instant.now();
        boolean backlog = connection.inbox.waiting() >= MAX_WAITING_MESSAGES;
        if (!backlog && connection.messages.tryAcquire(now)) {
            connection.refused.set(0);
            connection.inbox.add(() -> handle(text, session, connection));
            return;
        }
        if (connection.refused.incrementAndGet() > config.socketRefusalsBeforeClose()) {
            connection.closing = true;
            connection.inbox.add(() -> session.close(new CloseReason(CloseReason.POLICY_VIOLATION.getCode(), "rate-limited")));
            return;
        }
        Problem refusal;
        if (backlog) {
            refusal = Problem.of(ProblemType.RATE_LIMITED, "Too many messages of this socket wait to be handled (at most "
                    + MAX_WAITING_MESSAGES + "); this one was not read. Wait for the answers to those sent before"
                    + " sending more; a socket that keeps sending is closed.");
        } else {
            long millis = Math.max(1, connection.messages.untilNext(now).toMillis());
            refusal = Problem.of(ProblemType.RATE_LIMITED, "Too many messages on this socket (at most "
                    + config.socketMessagesPerSecond() + " per second); this one was not read. Send again after " + millis
                    + " ms; a socket that keeps sending faster is closed.").with("retryAfterMillis", millis);
        }
        connection.inbox.add(() -> answer(connection, error(null, refusal)));
    }

    /** Handles one message and answers it, whatever happens. */
    private void handle(String text, WebSocketSession session, Connection connection) {
        JsonNode message;
        try {
            message = JobJson.mapper().readTree(text);
        } catch (IOException e) {
            answer(connection, error(null, Problem.of(ProblemType.MALFORMED_JSON, "A message is a JSON object such as {\"type\":\"subscribe\",\"id\":\"s1\",\"job\":\"...\"}.")));
            return;
        }
        String id = message.path("id").asText(null);
        try {
            switch (message.path("type").asText("")) {
                case "subscribe" -> subscribe(session, connection, id, message);
                case "unsubscribe" -> {
                    Runnable subscription = connection.remove(require(id));
                    if (subscription != null) {
                        subscription.run();
                    }
                    connection.answer(reply("unsubscribed", id));
                }
                case "ping" -> connection.answer(reply("pong", id));
                case "renew" -> renew(session, connection, id, message);
                default -> throw invalid("type", "'type' is subscribe, unsubscribe, renew or ping.");
            }
        } catch (ProblemException e) {
            answer(connection, error(id, e.problem()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("a socket's {} message failed", message.path("type").asText("?"), e);
            answer(connection, error(id, Problem.of(ProblemType.INTERNAL, "Something went wrong on our side with this message."
                    + " Send it again; if it persists, report it.")));
        }
    }

    private static void answer(Connection connection, ObjectNode message) {
        try {
            connection.answer(message);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @OnClose
    public void close(WebSocketSession session) {
        session.get(CONNECTION, Connection.class).ifPresent(connection -> {
            connection.release.run();
            connection.expiry.dispose();
            if (connection.pings != null) {
                connection.pings.dispose();
            }
            connection.close().forEach(Runnable::run);
        });
    }

    private void subscribe(WebSocketSession session, Connection connection, String id, JsonNode message)
            throws InterruptedException {
        require(id);
        if (connection.subscribers.containsKey(id)) {
            throw invalid("id", "Subscription " + id + " exists; unsubscribe it first or use another id.");
        }
        if (connection.subscribers.size() >= config.maxSubscriptionsPerSocket()) {
            throw new ProblemException(Problem.of(ProblemType.RATE_LIMITED, "A socket holds at most " + config.maxSubscriptionsPerSocket()
                    + " subscriptions; unsubscribe one, or subscribe by filter to many jobs at once.").with("limit", config.maxSubscriptionsPerSocket()));
        }
        if (message.hasNonNull("batch")) {
            subscribeBatch(connection, id, message);
            return;
        }
        boolean perJob = message.hasNonNull("job");
        Subscriber subscriber;
        ObjectNode subscribed = reply("subscribed", id);
        if (perJob) {
            long lastVersion = SubscriptionRequests.version("lastVersion", message.path("lastVersion").asText(null));
            Optional<Subscriber> opened = subscriptions.job(connection.caller, message.get("job").asText(), lastVersion);
            if (opened.isEmpty()) {
                connection.answer(subscribed);
                connection.answer(reply("end", id));
                return;
            }
            subscriber = opened.get();
        } else {
            JsonNode filter = message.path("filter");
            Optional<StreamCursor> cursor = SubscriptionRequests.cursor(message.path("cursor").asText(null));
            Selector.OwnerJobs selector = SubscriptionRequests.ownerJobs(connection.caller, filter.path("owner").asText(null),
                    texts(filter.path("types")), filter.path("tag").asText(null), texts(filter.path("statuses")));
            SubscriberHub.OwnerSubscription opened = subscriptions.jobsOf(selector, cursor);
            subscriber = opened.subscriber();
            subscribed.put("eventId", opened.start().encode());
            if (opened.reset()) {
                subscribed.put("reset", true);
            }
        }
        Runnable close = () -> subscriptions.close(subscriber);
        if (!connection.hold(id, close)) {
            close.run();
            return;
        }
        connection.answer(subscribed);
        subscriber.deliveries().subscribe(new Sender<>(connection, id, close, delivery -> jobUpdate(id, delivery.update(),
                perJob ? Long.toString(delivery.update().version()) : delivery.cursor().encode())));
    }

    /**
     * {@code {"type":"subscribe","id":..,"batch":"<id>","lastVersion":N,"jobs":true}}: the batch's
     * changes as {@code update} messages with {@code event} = {@code batch} and {@code eventId} = the
     * batch's version, and with jobs its jobs' as {@code event} = {@code job} (no {@code eventId});
     * {@code end} once the batch is finished.
     */
    private void subscribeBatch(Connection connection, String id, JsonNode message) throws InterruptedException {
        long lastVersion = SubscriptionRequests.version("lastVersion", message.path("lastVersion").asText(null));
        JsonNode jobs = message.path("jobs");
        if (!jobs.isMissingNode() && !jobs.isNull() && !jobs.isBoolean()) {
            throw invalid("jobs", "'jobs' is true or false: whether the batch's jobs' changes come too.");
        }
        ObjectNode subscribed = reply("subscribed", id);
        Optional<BatchWatch> opened = batches.batch(connection.caller, message.get("batch").asText(), lastVersion, jobs.asBoolean(false));
        if (opened.isEmpty()) {
            connection.answer(subscribed);
            connection.answer(reply("end", id));
            return;
        }
        BatchWatch watch = opened.get();
        Runnable close = watch::close;
        if (!connection.hold(id, close)) {
            close.run();
            return;
        }
        connection.answer(subscribed);
        watch.deliveries().subscribe(new Sender<>(connection, id, close, item -> switch (item) {
            case BatchWatch.BatchItem batch -> {
                ObjectNode update = reply("update", null);
                update.put("subscription", id);
                update.put("event", SubscriptionRequests.BATCH_EVENT);
                update.put("eventId", Long.toString(batch.update().version()));
                update.set("update", JobJson.mapper().valueToTree(batch.update()));
                yield update;
            }
            case BatchWatch.JobItem job -> {
                ObjectNode update = reply("update", null);
                update.put("subscription", id);
                update.put("event", SubscriptionRequests.JOB_EVENT);
                update.set("update", JobJson.mapper().valueToTree(job.delivery().update()));
                yield update;
            }
        }));
    }

    private static ObjectNode jobUpdate(String id, JobUpdate change, String eventId) {
        ObjectNode update = reply("update", null);
        update.put("subscription", id);
        update.put("event", SubscriptionRequests.eventName(change));
        update.put("eventId", eventId);
        update.set("update", JobJson.mapper().valueToTree(change));
        return update;
    }

    /** Sends one subscription's deliveries, one message in flight at a time. */
    private final class Sender<T> extends BaseSubscriber<T> {
        private final Connection connection;
        private final String id;
        private final Runnable subscription;
        private final Function<T, ObjectNode> message;

        /** @param subscription what ends the subscription, as the connection holds it */
        Sender(Connection connection, String id, Runnable subscription, Function<T, ObjectNode> message) {
            this.connection = connection;
            this.id = id;
            this.subscription = subscription;
            this.message = message;
        }

        @Override
        protected void hookOnSubscribe(Subscription upstream) {
            request(1);
        }

        @Override
        protected void hookOnNext(T delivery) {
            CompletableFuture<?> sending = connection.sendUpdate(id, subscription, message.apply(delivery));
            if (sending == null) {
                cancel();
                return;
            }
            sending.whenComplete((sent, failure) -> {
                if (failure == null) {
                    request(1);
                } else {
                    cancel();
                }
            });
        }

        @Override
        protected void hookOnComplete() {
            finish("end", null);
        }

        @Override
        protected void hookOnError(Throwable failure) {
            finish("error", Problem.of(ProblemType.CONFLICT, failure.getMessage()).with("reason", "too-slow"));
        }

        private void finish(String type, Problem problem) {
            if (connection.subscribers.remove(id, subscription)) {
                subscription.run();
                connection.send(problem == null ? reply(type, id) : error(id, problem));
            }
        }
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(item -> texts.add(item.asText()));
        return texts;
    }

    private static String require(String id) {
        if (id == null || id.isBlank() || id.length() > 100) {
            throw invalid("id", "Each subscribe and unsubscribe names its subscription: 'id', 1-100 characters.");
        }
        return id;
    }

    private static ProblemException invalid(String field, String detail) {
        return SubscriptionRequests.invalid(field, detail);
    }

    private static ObjectNode reply(String type, String id) {
        ObjectNode reply = JobJson.mapper().createObjectNode().put("type", type);
        if (id != null) {
            reply.put("id", id);
        }
        return reply;
    }

    private static ObjectNode error(String id, Problem problem) {
        ObjectNode error = reply("error", id);
        error.set("problem", JobJson.mapper().valueToTree(problem));
        return error;
    }
}
