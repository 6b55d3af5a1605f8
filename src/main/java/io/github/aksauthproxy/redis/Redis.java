package io.github.aksauthproxy.redis;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The few Redis commands the service uses, asynchronously. Every stage completes on the client's I/O thread, so a
 * continuation must not block (Vert.x callers hop back with {@code Future.fromCompletionStage(stage, context)}).
 * Every failure is a {@link RedisUnavailable}, raised within the command timeout; an empty result means only that
 * Redis answered "no such key", never that it could not answer.
 */
public interface Redis extends AutoCloseable {

    /** The value of a key, or empty when Redis holds none. */
    CompletionStage<Optional<byte[]>> get(String key);

    /** Sets a key that lives for {@code ttl}. */
    CompletionStage<Void> set(String key, byte[] value, Duration ttl);

    /** {@code SET NX PX}: true when this call created the key. */
    CompletionStage<Boolean> setIfAbsent(String key, byte[] value, Duration ttl);

    /** Deletes a key; true when it existed. */
    CompletionStage<Boolean> delete(String key);

    /** True when the key exists. */
    CompletionStage<Boolean> exists(String key);

    /** Every field of a hash (empty when there is none). */
    CompletionStage<Map<String, byte[]>> hashGetAll(String key);

    /** Runs a script with keys that share one hash slot. */
    <T> CompletionStage<T> eval(LuaScript<T> script, List<String> keys, List<byte[]> args);

    /** Every key matching a {@code SCAN} pattern, on every node of a cluster. For operators' commands, not for requests. */
    CompletionStage<List<String>> scan(String pattern);

    /** Publishes a message to every subscriber of a channel (on a cluster, to every node's subscribers). */
    CompletionStage<Void> publish(String channel, String message);

    /**
     * Keeps a subscription to one channel for as long as this client lives, reconnecting and resubscribing on its own.
     * The listener is told when messages may have been lost (the subscription connection dropped), so callers that
     * cache on the strength of messages can drop their caches.
     */
    void subscribe(String channel, ChannelListener listener);

    /** Round trip to the server, for readiness. */
    CompletionStage<Void> ping();

    /** Closes every connection; later commands fail. */
    @Override
    void close();

    /** Receives one channel's messages on the client's I/O thread; must not block. */
    interface ChannelListener {
        void message(String message);

        /** Subscribed (again): messages from now on arrive. */
        default void subscribed() {
        }

        /** The subscription connection dropped: messages sent until {@link #subscribed()} are lost. */
        default void lost() {
        }
    }

    /** How long Redis may take before a command fails with {@link RedisUnavailable}. */
    record Timeouts(Duration command, Duration connect) {
        /** 2 s per command and per connection attempt: long enough for a failover's first answer, short enough for a 503. */
        public static final Timeouts DEFAULT = new Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(2));
    }
}
