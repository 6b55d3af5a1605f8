package io.github.aksauthproxy.redis;

import io.github.aksauthproxy.async.Causes;
import io.github.aksauthproxy.config.RedisConfig;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisCredentialsProvider;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * {@link Redis} on Lettuce: one multiplexed connection for commands and one for subscriptions, both opened on first
 * use. While a connection is down, commands fail at once ({@code REJECT_COMMANDS}) and Lettuce reconnects by itself
 * (for Sentinel, asking the Sentinels for the master again, which is how a failover is followed). A connection that
 * could not be opened at all is tried again by the next command, at most every {@link #RETRY_CONNECT}, so a Redis that
 * was down at start-up is used as soon as it is back, without a restart.
 */
public final class LettuceRedis implements Redis {
    private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
    private static final long RETRY_CONNECT = TimeUnit.MILLISECONDS.toNanos(500);

    private final ClientResources resources;
    private final AbstractRedisClient client;
    /** Where a {@link RedisClient} connects (for Sentinel: the Sentinels and the master's name); null for a cluster. */
    private final RedisURI uri;
    private final RedisFailureLog failures;
    private final AtomicReference<CompletableFuture<Open>> commands = new AtomicReference<>();
    private volatile long lastConnectFailure;
    private final Map<String, List<ChannelListener>> channels = new ConcurrentHashMap<>();
    private final AtomicReference<StatefulRedisPubSubConnection<String, byte[]>> pubSub = new AtomicReference<>();
    private volatile boolean closed;
    /** Whether the last command got an answer: the metric of reachability. */
    private volatile boolean reachable = true;

    private LettuceRedis(ClientResources resources, LettuceClients.Built built, RedisFailureLog failures) {
        this.resources = resources;
        this.client = built.client();
        this.uri = built.uri();
        this.failures = failures;
    }

    /** An open connection and its commands (standalone and cluster commands share this interface). */
    private record Open(StatefulConnection<String, byte[]> connection, RedisClusterAsyncCommands<String, byte[]> commands) {
    }

    /**
     * A client for the configured Redis. Connects on first use, so it can be built while Redis is down.
     *
     * @param entraCredentials required for {@link RedisConfig.Auth#ENTRA}, ignored otherwise
     */
    public static LettuceRedis create(RedisConfig config, Optional<EntraRedisCredentials> entraCredentials,
                                      Timeouts timeouts, RedisFailureLog failures) {
        RedisCredentialsProvider credentials = config.auth() == RedisConfig.Auth.ENTRA
                ? entraCredentials.<RedisCredentialsProvider>map(c -> c)
                        .orElseThrow(() -> new IllegalArgumentException("AKS_AUTH_PROXY_REDIS_AUTH=entra needs the Entra credentials"))
                : LettuceClients.passwordCredentials(config);
        ClientResources resources = LettuceClients.resources();
        return new LettuceRedis(resources, LettuceClients.client(resources, config, credentials, timeouts), failures);
    }

    @Override
    public CompletionStage<Optional<byte[]>> get(String key) {
        return run(c -> c.get(key).thenApply(Optional::ofNullable));
    }

    @Override
    public CompletionStage<Void> set(String key, byte[] value, Duration ttl) {
        return run(c -> c.set(key, value, SetArgs.Builder.px(positive(ttl))).thenApply(ok -> null));
    }

    @Override
    public CompletionStage<Boolean> setIfAbsent(String key, byte[] value, Duration ttl) {
        return run(c -> c.set(key, value, SetArgs.Builder.nx().px(positive(ttl))).thenApply("OK"::equals));
    }

    @Override
    public CompletionStage<Boolean> delete(String key) {
        return run(c -> c.del(key).thenApply(n -> n > 0));
    }

    @Override
    public CompletionStage<Boolean> exists(String key) {
        return run(c -> c.exists(key).thenApply(n -> n > 0));
    }

    @Override
    public CompletionStage<Map<String, byte[]>> hashGetAll(String key) {
        return run(c -> c.hgetall(key).thenApply(m -> m));
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> CompletionStage<T> eval(LuaScript<T> script, List<String> keys, List<byte[]> args) {
        String[] k = keys.toArray(new String[0]);
        byte[][] a = args.toArray(new byte[0][]);
        ScriptOutputType type = script.reply() == LuaScript.Reply.INTEGER ? ScriptOutputType.INTEGER : ScriptOutputType.MULTI;
        return run(c -> c.<T>evalsha(script.sha1(), type, k, a).toCompletableFuture().exceptionallyCompose(e ->
                Causes.of(e) instanceof RedisNoScriptException ? c.<T>eval(script.source(), type, k, a) : CompletableFuture.failedFuture(e)));
    }

    @Override
    public CompletionStage<List<String>> scan(String pattern) {
        return run(c -> scanFrom(c, ScanCursor.INITIAL, ScanArgs.Builder.matches(pattern).limit(500), new ArrayList<>()));
    }

    private static CompletionStage<List<String>> scanFrom(RedisClusterAsyncCommands<String, byte[]> c, ScanCursor cursor, ScanArgs args,
                                                          List<String> found) {
        return c.scan(cursor, args).thenCompose((KeyScanCursor<String> page) -> {
            found.addAll(page.getKeys());
            return page.isFinished() ? CompletableFuture.completedFuture(found) : scanFrom(c, page, args, found);
        });
    }

    @Override
    public CompletionStage<Void> publish(String channel, String message) {
        return run(c -> c.publish(channel, message.getBytes(StandardCharsets.UTF_8)).thenApply(n -> null));
    }

    @Override
    public CompletionStage<Void> ping() {
        return run(c -> c.ping().thenApply(pong -> null));
    }

    private <T> CompletionStage<T> run(Function<RedisClusterAsyncCommands<String, byte[]>, CompletionStage<T>> command) {
        CompletableFuture<T> out = new CompletableFuture<>();
        connection().thenCompose(open -> command.apply(open.commands())).whenComplete((v, e) -> {
            if (e == null) {
                reachable = true;
                out.complete(v);
            } else {
                RedisUnavailable failure = RedisUnavailable.from(e);
                // A refused command came from a server that is there; anything else means it cannot be used now.
                reachable = failure.reason() == RedisUnavailable.Reason.REJECTED;
                failures.record(failure);
                out.completeExceptionally(failure);
            }
        });
        return out;
    }

    /** The open connection, the attempt in flight, or a new attempt when the last one failed long enough ago. */
    private CompletableFuture<Open> connection() {
        while (true) {
            CompletableFuture<Open> current = commands.get();
            if (closed) {
                return CompletableFuture.failedFuture(new RedisUnavailable(RedisUnavailable.Reason.UNREACHABLE, "the Redis client is closed"));
            }
            boolean failed = current != null && current.isCompletedExceptionally();
            if (current != null && (!failed || System.nanoTime() - lastConnectFailure < RETRY_CONNECT)) {
                return current;
            }
            CompletableFuture<Open> attempt = new CompletableFuture<>();
            if (commands.compareAndSet(current, attempt)) {
                connect().whenComplete((c, e) -> {
                    if (e == null) {
                        attempt.complete(c);
                    } else {
                        lastConnectFailure = System.nanoTime();
                        attempt.completeExceptionally(RedisUnavailable.from(e));
                    }
                });
                return attempt;
            }
        }
    }

    private CompletionStage<Open> connect() {
        if (client instanceof RedisClusterClient cluster) {
            // The asynchronous connect needs the topology loaded first (the synchronous one would block to load it).
            return cluster.refreshPartitionsAsync().thenCompose(loaded -> cluster.connectAsync(CODEC))
                    .thenApply(c -> new Open(c, c.async()));
        }
        return ((RedisClient) client).connectAsync(CODEC, uri).thenApply(c -> new Open(c, c.async()));
    }

    @Override
    public void subscribe(String channel, ChannelListener listener) {
        channels.computeIfAbsent(channel, k -> new CopyOnWriteArrayList<>()).add(listener);
        StatefulRedisPubSubConnection<String, byte[]> open = pubSub.get();
        if (open != null) {
            open.async().subscribe(channel);
        } else if (channels.size() == 1 && channels.get(channel).size() == 1) {
            connectPubSub();
        }
    }

    /** Opens the subscription connection, trying again every second until it opens or the client closes. */
    private void connectPubSub() {
        if (closed) {
            return;
        }
        // After the command connection: a cluster client learns the topology on its first connection, and refuses a
        // second one opened before that ("Partitions not initialized").
        CompletionStage<StatefulRedisPubSubConnection<String, byte[]>> opening = connection().thenCompose(open -> openPubSub());
        opening.whenComplete((c, e) -> {
            if (e != null) {
                failures.record(RedisUnavailable.from(e));
                resources.eventExecutorGroup().schedule(this::connectPubSub, 1, TimeUnit.SECONDS);
                return;
            }
            c.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, byte[] message) {
                    channels.getOrDefault(channel, List.of()).forEach(l -> l.message(new String(message, StandardCharsets.UTF_8)));
                }

                @Override
                public void subscribed(String channel, long count) {
                    channels.getOrDefault(channel, List.of()).forEach(ChannelListener::subscribed);
                }
            });
            c.addListener(new RedisConnectionStateListener() {
                @Override
                public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                    channels.values().forEach(ls -> ls.forEach(ChannelListener::lost));
                }
            });
            pubSub.set(c);
            if (closed) {
                c.closeAsync();
                return;
            }
            c.async().subscribe(channels.keySet().toArray(new String[0]));
        });
    }

    private CompletionStage<StatefulRedisPubSubConnection<String, byte[]>> openPubSub() {
        if (client instanceof RedisClusterClient cluster) {
            return cluster.connectPubSubAsync(CODEC).thenApply(c -> c);
        }
        return ((RedisClient) client).connectPubSubAsync(CODEC, uri);
    }

    /** True unless the last command failed for want of a usable server (a rejected command proves it is there). */
    public boolean reachable() {
        return reachable;
    }

    /** How many commands failed, by reason, since start: for the metric. */
    public RedisFailureLog failures() {
        return failures;
    }

    @Override
    public void close() {
        closed = true;
        Optional.ofNullable(pubSub.get()).ifPresent(StatefulConnection::closeAsync);
        CompletableFuture<Open> c = commands.get();
        if (c != null && c.isDone() && !c.isCompletedExceptionally()) {
            c.join().connection().closeAsync();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    private static long positive(Duration ttl) {
        return Math.max(1, ttl.toMillis());
    }
}
