package io.github.aksauthproxy.redis;

import io.github.aksauthproxy.entra.AccessToken;
import io.github.aksauthproxy.session.Session;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One access-token cache for every replica: a token per session and profile, sealed with the session's key, kept until
 * shortly before its {@code exp}. On a miss one replica mints while the others wait: the minter holds a lock
 * ({@code SET NX PX} with a random value, renewed while minting lasts, released by compare-and-delete); the others poll
 * for its result every {@link Timing#pollEvery} for at most {@link Timing#waitAtMost}, then mint themselves. Every
 * write keeps whichever token expires later, so a lost lock costs at most an extra request to Entra, never a wrong or
 * older token. The in-process cache ({@code TokenService}) stays in front of this one.
 */
public final class RedisTokens {
    private static final Logger LOG = LoggerFactory.getLogger(RedisTokens.class);

    /** KEYS: token key. ARGV: exp (epoch ms), sealed token, TTL ms. 1 when written, 0 when the stored token lasts longer. */
    static final LuaScript<Long> KEEP_LATER = LuaScript.integer("token-keep-later", """
            local stored = redis.call('HGET', KEYS[1], 'exp')
            if stored and tonumber(stored) >= tonumber(ARGV[1]) then return 0 end
            redis.call('HSET', KEYS[1], 'exp', ARGV[1], 'v', ARGV[2])
            redis.call('PEXPIRE', KEYS[1], ARGV[3])
            return 1
            """);
    /** KEYS: lock. ARGV: owner. Deletes the lock only if this owner still holds it. */
    static final LuaScript<Long> RELEASE = LuaScript.integer("lock-release", """
            if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
            return 0
            """);
    /** KEYS: lock. ARGV: owner, TTL ms. Extends the lock only if this owner still holds it. */
    static final LuaScript<Long> RENEW = LuaScript.integer("lock-renew", """
            if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
            return 0
            """);

    private final Redis redis;
    private final Clock clock;
    private final SecureRandom random;
    private final Duration expiryMargin;
    private final Timing timing;

    /**
     * How long a mint lock lives unless renewed (renewed every third of it), how long others wait for the minter's
     * result, and how often they look.
     */
    public record Timing(Duration lockTtl, Duration waitAtMost, Duration pollEvery) {
        public static final Timing DEFAULT = new Timing(Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofMillis(50));
    }

    /** Where a token came from, for metrics and tests. */
    public enum Source { REDIS, MINTED, WAITED, MINTED_AFTER_WAIT }

    /** A token and where it came from. */
    public record Shared(AccessToken token, Source source) {
    }

    /** @param expiryMargin a token is not kept or handed out with less than this left (TokenService's margin) */
    public RedisTokens(Redis redis, Clock clock, SecureRandom random, Duration expiryMargin, Timing timing) {
        this.redis = redis;
        this.clock = clock;
        this.random = random;
        this.expiryMargin = expiryMargin;
        this.timing = timing;
    }

    /** The stored token when it has at least {@code minimumLeft} left; empty when there is none (a miss, not a failure). */
    public CompletionStage<Optional<AccessToken>> get(SessionRef ref, String profile, Duration minimumLeft) {
        String key = ref.tokenKey(profile);
        return redis.hashGetAll(key).thenApply(fields -> open(ref, key, fields)
                .filter(t -> !clock.instant().plus(minimumLeft).isAfter(t.expiresOn())));
    }

    /** Stores a token unless the stored one expires later; true when this one was written. */
    public CompletionStage<Boolean> put(SessionRef ref, String profile, AccessToken token) {
        Duration ttl = Duration.between(clock.instant(), token.expiresOn().minus(expiryMargin));
        if (ttl.toMillis() <= 0) {
            return CompletableFuture.completedFuture(false);
        }
        String key = ref.tokenKey(profile);
        long exp = token.expiresOn().toEpochMilli();
        JsonObject record = new JsonObject().put("at", token.value()).put("exp", exp);
        // The ID token Entra returned with it carries the session's groups now, for the replicas that take this token.
        token.idToken().ifPresent(id -> record.put("id", id.value()));
        String json = record.encode();
        return redis.eval(KEEP_LATER, List.of(key), List.of(ascii(exp), ref.seal(key, json, random), ascii(ttl.toMillis())))
                .thenApply(written -> written == 1);
    }

    /**
     * The stored token, or one minted by exactly one replica at a time (see the class comment). Fails with the
     * mint's own failure (e.g. {@code IdpFailure}) or {@link RedisUnavailable}.
     */
    public CompletionStage<Shared> getOrMint(SessionRef ref, String profile, Duration minimumLeft, Supplier<CompletionStage<AccessToken>> mint) {
        return get(ref, profile, minimumLeft).thenCompose(stored -> {
            if (stored.isPresent()) {
                return CompletableFuture.completedFuture(new Shared(stored.get(), Source.REDIS));
            }
            byte[] owner = new byte[16];
            random.nextBytes(owner);
            byte[] ownerHex = ascii(HexFormat.of().formatHex(owner));
            String lock = ref.lockKey(profile);
            return redis.setIfAbsent(lock, ownerHex, timing.lockTtl()).thenCompose(mine -> mine
                    ? mintHolding(ref, profile, lock, ownerHex, mint, Source.MINTED)
                    : awaitOthers(ref, profile, minimumLeft, mint, System.nanoTime() + timing.waitAtMost().toNanos()));
        });
    }

    private CompletionStage<Shared> mintHolding(SessionRef ref, String profile, String lock, byte[] owner,
                                                Supplier<CompletionStage<AccessToken>> mint, Source source) {
        AtomicBoolean minting = new AtomicBoolean(true);
        renewWhile(minting, lock, owner);
        return mint.get().handle((token, failure) -> {
            minting.set(false);
            CompletionStage<Void> released = redis.eval(RELEASE, List.of(lock), List.of(owner)).handle((r, e) -> null);
            if (failure != null) {
                return released.thenCompose(done -> CompletableFuture.<Shared>failedFuture(failure));
            }
            // A token in hand is answered even when Redis cannot keep it.
            return put(ref, profile, token).handle((written, e) -> new Shared(token, source))
                    .thenCompose(shared -> released.thenApply(done -> shared));
        }).thenCompose(s -> s);
    }

    private void renewWhile(AtomicBoolean minting, String lock, byte[] owner) {
        long every = Math.max(1, timing.lockTtl().toMillis() / 3);
        after(every).execute(() -> {
            if (minting.get()) {
                redis.eval(RENEW, List.of(lock), List.of(owner, ascii(timing.lockTtl().toMillis())))
                        .whenComplete((renewed, e) -> renewWhile(minting, lock, owner));
            }
        });
    }

    private CompletionStage<Shared> awaitOthers(SessionRef ref, String profile, Duration minimumLeft,
                                                Supplier<CompletionStage<AccessToken>> mint, long giveUpAt) {
        return get(ref, profile, minimumLeft).thenCompose(stored -> {
            if (stored.isPresent()) {
                return CompletableFuture.completedFuture(new Shared(stored.get(), Source.WAITED));
            }
            if (System.nanoTime() - giveUpAt >= 0) {   // real time: the wait is real whatever the clock says
                LOG.atInfo().addKeyValue("event", "token.wait_exceeded").addKeyValue("profile", profile)
                        .addKeyValue("waited_ms", timing.waitAtMost().toMillis()).log();
                return mint.get().thenCompose(token -> put(ref, profile, token).handle((w, e) -> new Shared(token, Source.MINTED_AFTER_WAIT)));
            }
            CompletableFuture<Shared> next = new CompletableFuture<>();
            after(timing.pollEvery().toMillis()).execute(() -> awaitOthers(ref, profile, minimumLeft, mint, giveUpAt)
                    .whenComplete((s, e) -> {
                        if (e == null) {
                            next.complete(s);
                        } else {
                            next.completeExceptionally(e);
                        }
                    }));
            return next;
        });
    }

    private Optional<AccessToken> open(SessionRef ref, String key, Map<String, byte[]> fields) {
        byte[] sealed = fields.get("v");
        if (sealed == null) {
            return Optional.empty();
        }
        Optional<AccessToken> token = ref.open(key, sealed).flatMap(json -> {
            try {
                JsonObject j = new JsonObject(json);
                return Optional.of(new AccessToken(j.getString("at"), Instant.ofEpochMilli(j.getLong("exp")),
                        Optional.ofNullable(j.getString("id")).map(io.github.aksauthproxy.config.Secret::new)));
            } catch (DecodeException | ClassCastException | NullPointerException e) {
                return Optional.empty();
            }
        });
        if (token.isEmpty()) {
            // Changed in Redis, or sealed for another session: a miss, so a fresh token is minted.
            LOG.atWarn().addKeyValue("event", "token.record_rejected").addKeyValue("sid_hash", Session.sidHash(ref.name())).log();
        }
        return token;
    }

    private static Executor after(long millis) {
        return CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS);
    }

    private static byte[] ascii(Object o) {
        return RedisSessions.ascii(o);
    }
}
