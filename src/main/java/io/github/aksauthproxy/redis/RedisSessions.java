package io.github.aksauthproxy.redis;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.aksauthproxy.entra.StepUp;
import io.github.aksauthproxy.session.CacheBounds;
import io.github.aksauthproxy.session.Session;
import io.github.aksauthproxy.session.SessionJson;
import io.github.aksauthproxy.session.SessionRejected;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sessions in Redis, reached through a ticket cookie ({@link TicketCodec}). The record is the session's JSON sealed
 * with the session's own key under the record's key name; its TTL is what is left of the session's lifetime; the idle
 * timeout is enforced from the record's last-seen time, written at most every eighth of the idle timeout.
 *
 * <p>The warm path reads no Redis: sessions read recently are kept in memory by session name, but only while the
 * revocation channel is subscribed. A revocation (sign-out, {@code invalid_grant}, an operator) deletes the record
 * and publishes the name on {@link #REVOKED_CHANNEL}; every replica drops its copy on the message (pub/sub delivery,
 * well under a second), and drops all copies and stops keeping any while its subscription is down, since messages
 * sent then are lost. A copy is also never older than {@link #KEPT_AT_MOST}.
 *
 * <p>A Redis failure fails the stage with {@link RedisUnavailable}: it is never answered as "no session".
 */
public final class RedisSessions {
    public static final String REVOKED_CHANNEL = "aap:revoked";
    static final Duration KEPT_AT_MOST = Duration.ofSeconds(30);
    private static final Logger LOG = LoggerFactory.getLogger(RedisSessions.class);
    private static final HexFormat HEX = HexFormat.of();

    private final Redis redis;
    private final RedisKeyring keys;
    private final TicketCodec tickets;
    private final SessionIndex index;
    private final Clock clock;
    private final SecureRandom random;
    private final Duration idleTimeout;
    private final Duration renewEvery;
    private final List<String> profiles;
    /** Bounded by what the sessions retain as well as by count: a burst of sessions within 30 s must not fill the heap. */
    private final Cache<String, Session> recent;
    /**
     * Tickets already opened, by their exact cookie value. Opening one (AES-GCM, two HMACs, each a JCA lookup) cost
     * several times the rest of the warm path, and a value always opens to the same reference. Values that fail to
     * open are never kept; revocation and expiry are still checked on every request, below.
     */
    private final Cache<String, SessionRef> opened = Caffeine.newBuilder().maximumSize(10_000).expireAfterAccess(Duration.ofMinutes(5)).build();
    private final java.util.concurrent.ConcurrentMap<String, Reading> reading = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean keepRecent;
    /** Counts revocation messages and gaps, so a read that raced one is not kept. */
    private final AtomicLong revocations = new AtomicLong();
    private final List<Consumer<String>> revokedListeners = new CopyOnWriteArrayList<>();

    /**
     * @param profiles every configured profile name: a revocation deletes the session's tokens of each
     */
    public RedisSessions(Redis redis, RedisKeyring keys, Clock clock, SecureRandom random, Duration idleTimeout, List<String> profiles) {
        this(redis, keys, clock, random, idleTimeout, profiles, 64L << 20);
    }

    /** @param maxBytes the most bytes the sessions kept in memory may hold, as {@link Session#retainedBytes} estimates them */
    public RedisSessions(Redis redis, RedisKeyring keys, Clock clock, SecureRandom random, Duration idleTimeout, List<String> profiles,
                         long maxBytes) {
        this.recent = Caffeine.newBuilder().maximumWeight(maxBytes)
                .weigher(CacheBounds.bytesAndCount(maxBytes, 100_000, (String name, Session s) -> name.length() + Session.retainedBytes(s)))
                .expireAfterWrite(KEPT_AT_MOST).build();
        this.redis = redis;
        this.keys = keys;
        this.tickets = new TicketCodec(keys, random);
        this.index = new SessionIndex(keys, random);
        this.clock = clock;
        this.random = random;
        this.idleTimeout = idleTimeout;
        this.renewEvery = idleTimeout.dividedBy(8);
        this.profiles = List.copyOf(profiles);
        redis.subscribe(REVOKED_CHANNEL, new Redis.ChannelListener() {
            @Override
            public void message(String name) {
                revocations.incrementAndGet();
                recent.invalidate(name);
                revokedListeners.forEach(l -> l.accept(name));
            }

            @Override
            public void subscribed() {
                revocations.incrementAndGet();
                recent.invalidateAll();
                keepRecent = true;
            }

            @Override
            public void lost() {
                keepRecent = false;
                revocations.incrementAndGet();
                recent.invalidateAll();
            }
        });
    }

    /**
     * Whether this replica hears revocations (its subscription is confirmed), and so keeps the sessions it reads in
     * memory; until then every request reads Redis.
     */
    boolean hearsRevocations() {
        return keepRecent;
    }

    /** A new session: its ticket cookie value, the session as stored (its id is the session name), and where it lives. */
    public record Created(String cookieValue, Session session, SessionRef ref) {
        @Override
        public String toString() {
            return "Created[" + ref + "]";
        }
    }

    /**
     * The outcome of {@link #load}: a session and where it lives, or a rejection.
     *
     * @param expired the session that outlived its lifetime or idle timeout (for the audit trail), else null
     */
    public record Lookup(Session session, SessionRef ref, SessionRejected rejected, Session expired) {
        static Lookup rejected(SessionRejected why) {
            return new Lookup(null, null, why, null);
        }

        public boolean ok() {
            return session != null;
        }
    }

    /** The name (the session's id) of the session a ticket cookie names, whether or not it still exists; no I/O. */
    public Optional<String> nameOf(String cookieValue) {
        TicketCodec.Decoded decoded = tickets.decode(cookieValue);
        return decoded.ok() ? Optional.of(SessionRef.of(decoded.ticket()).name()) : Optional.empty();
    }

    /** Tells a listener the id of every session revoked on any replica (to drop its own in-memory entries). */
    public void onRevoked(Consumer<String> sessionId) {
        revokedListeners.add(sessionId);
    }

    /** Stores a new session for the fields given (their id is replaced by the new session's name). */
    public CompletionStage<Created> create(Session fields) {
        SessionTicket ticket = SessionTicket.generate(random, HEX.parseHex(keys.userTag(fields.oid())));
        SessionRef ref = SessionRef.of(ticket);
        Instant now = clock.instant();
        Session s = fields.storedAs(ref.name(), ref).seenAt(now);
        return write(SessionScripts.CREATE, ref, s, now).thenApply(done -> new Created(tickets.encode(ticket), s, ref));
    }

    /** {@link TicketCodec#resealed}: the ticket sealed with the current cookie key when another listed key sealed it. */
    public Optional<String> resealed(String cookieValue) {
        return tickets.resealed(cookieValue);
    }

    /** The session a ticket cookie names, checked for lifetime and idle timeout. */
    public CompletionStage<Lookup> load(String cookieValue) {
        SessionRef known = opened.getIfPresent(cookieValue);
        if (known == null) {
            TicketCodec.Decoded decoded = tickets.decode(cookieValue);
            if (!decoded.ok()) {
                return CompletableFuture.completedFuture(Lookup.rejected(decoded.rejected()));
            }
            known = SessionRef.of(decoded.ticket());
            opened.put(cookieValue, known);
        }
        SessionRef ref = known;
        Instant now = clock.instant();
        Session kept = keepRecent ? recent.getIfPresent(ref.name()) : null;
        if (kept != null && !idleSince(kept.lastSeen(), now)) {
            return checked(kept, ref, now);   // an idle-looking copy is read again: another replica may have seen the user
        }
        long generation = revocations.get();
        return read(ref.recordKey(), generation).thenCompose(value -> {
            if (value.isEmpty()) {
                return CompletableFuture.completedFuture(Lookup.rejected(SessionRejected.NOT_IN_STORE));
            }
            Optional<Session> session = ref.open(ref.recordKey(), value.get()).flatMap(RedisSessions::parse)
                    .filter(s -> s.id().equals(ref.name())).map(s -> s.storedAs(ref.name(), ref));
            if (session.isEmpty()) {
                LOG.atWarn().addKeyValue("event", "session.record_rejected").addKeyValue("sid_hash", Session.sidHash(ref.name()))
                        .addKeyValue("reason", SessionRejected.RECORD_TAMPERED.reason()).log();
                return CompletableFuture.completedFuture(Lookup.rejected(SessionRejected.RECORD_TAMPERED));
            }
            if (keepRecent && revocations.get() == generation) {
                recent.put(ref.name(), session.get());
            }
            return checked(session.get(), ref, now);
        });
    }

    /** A read of a session record on its way, and the revocation generation it started in. */
    private record Reading(long generation, CompletableFuture<Optional<byte[]>> value) {
    }

    /**
     * The record under {@code key}: one GET for all the requests of a session that miss at once (32 connections of
     * an ingress whose copy just expired would otherwise send 32). A read started before a revocation message is
     * never shared with a request that comes after it.
     */
    private CompletionStage<Optional<byte[]>> read(String key, long generation) {
        Reading mine = new Reading(generation, new CompletableFuture<>());
        Reading running = reading.merge(key, mine, (old, fresh) -> old.generation() == generation ? old : fresh);
        if (running != mine) {
            return running.value();
        }
        redis.get(key).whenComplete((value, failure) -> {
            // Completed before it is forgotten: completing runs the waiting loads, which keep the session in memory, so a
            // request that misses now finds either this read or the kept copy, never neither (one more GET; CI saw 2).
            if (failure != null) {
                mine.value().completeExceptionally(failure);
            } else {
                mine.value().complete(value);
            }
            reading.remove(key, mine);
        });
        return mine.value();
    }

    private CompletionStage<Lookup> checked(Session s, SessionRef ref, Instant now) {
        if (!now.isBefore(s.expiresAt())) {
            recent.invalidate(ref.name());
            return CompletableFuture.completedFuture(new Lookup(null, null, SessionRejected.EXPIRED, s));
        }
        if (idleSince(s.lastSeen(), now)) {
            Lookup idle = new Lookup(null, null, SessionRejected.IDLE_EXPIRED, s);
            return revoke(ref).handle((existed, e) -> idle);   // idle whatever Redis says to the clean-up
        }
        if (Duration.between(s.lastSeen(), now).compareTo(renewEvery) < 0) {
            return CompletableFuture.completedFuture(new Lookup(s, ref, null, null));
        }
        Session seen = s.seenAt(now);
        // A failed last-seen write does not fail the request: the session was just read and checked.
        return write(SessionScripts.TOUCH, ref, seen, now).handle((written, e) -> {
            if (e == null && written == 1 && keepRecent) {
                recent.asMap().computeIfPresent(ref.name(), (k, old) -> seen);
            }
            return new Lookup(seen, ref, null, null);
        });
    }

    private CompletionStage<Long> write(LuaScript<Long> script, SessionRef ref, Session s, Instant now) {
        Duration ttl = Duration.between(now, s.expiresAt());
        if (ttl.isNegative() || ttl.isZero()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("the session has already expired"));
        }
        byte[] record = ref.seal(ref.recordKey(), SessionJson.toJson(s).encode(), random);
        return redis.eval(script, List.of(ref.recordKey(), ref.indexKey()), List.of(record, ascii(ttl.toMillis()), ascii(ref.name()),
                index.seal(ref, s)));
    }

    /** Ends a session on every replica (sign-out, {@code invalid_grant}); true when it still existed. */
    public CompletionStage<Boolean> revoke(SessionRef ref) {
        return revoke(ref.userTag(), ref.name());
    }

    CompletionStage<Boolean> revoke(String userTag, String name) {
        recent.invalidate(name);
        List<String> keysToDelete = new ArrayList<>(List.of("aap:{" + userTag + "}:s:" + name, SessionRef.indexKey(userTag)));
        profiles.forEach(p -> keysToDelete.add(SessionRef.tokenKey(userTag, name, p)));
        return redis.eval(SessionScripts.REVOKE, keysToDelete, List.of(ascii(name)))
                .thenCompose(existed -> redis.publish(REVOKED_CHANNEL, name).thenApply(sent -> existed == 1));
    }

    /** Keeps, for {@code ttl}, the step-up the next sign-in of this session's browser must carry, sealed with the session's key. */
    public CompletionStage<Void> rememberStepUp(SessionRef ref, StepUp stepUp, Duration ttl) {
        JsonObject json = new JsonObject().put("p", stepUp.profile()).put("s", new io.vertx.core.json.JsonArray(stepUp.scopes()));
        stepUp.claims().ifPresent(c -> json.put("c", c));
        return redis.set(ref.stepUpKey(), ref.seal(ref.stepUpKey(), json.encode(), random), ttl);
    }

    /** The step-up remembered for the session a ticket cookie names; empty for none, a bad ticket or a changed value. */
    public CompletionStage<Optional<StepUp>> pendingStepUp(String cookieValue) {
        TicketCodec.Decoded decoded = tickets.decode(cookieValue);
        if (!decoded.ok()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        SessionRef ref = SessionRef.of(decoded.ticket());
        return redis.get(ref.stepUpKey()).thenApply(value -> value.flatMap(v -> {
            Optional<StepUp> stepUp = ref.open(ref.stepUpKey(), v).flatMap(RedisSessions::parseStepUp);
            if (stepUp.isEmpty()) {
                LOG.atWarn().addKeyValue("event", "session.record_rejected").addKeyValue("sid_hash", Session.sidHash(ref.name()))
                        .addKeyValue("reason", "step_up_record_tampered").log();
            }
            return stepUp;
        }));
    }

    private static Optional<StepUp> parseStepUp(String text) {
        try {
            JsonObject json = new JsonObject(text);
            List<String> scopes = new ArrayList<>();
            json.getJsonArray("s").forEach(s -> scopes.add((String) s));
            return Optional.of(new StepUp(json.getString("p"), scopes, Optional.ofNullable(json.getString("c"))));
        } catch (DecodeException | ClassCastException | NullPointerException e) {
            return Optional.empty();
        }
    }

    private boolean idleSince(Instant seen, Instant now) {
        return Duration.between(seen, now).compareTo(idleTimeout) >= 0;
    }

    private static Optional<Session> parse(String json) {
        try {
            return SessionJson.fromJson(new JsonObject(json));
        } catch (DecodeException | ClassCastException e) {
            return Optional.empty();
        }
    }

    static byte[] ascii(Object o) {
        return String.valueOf(o).getBytes(StandardCharsets.US_ASCII);
    }

    SessionIndex index() {
        return index;
    }

    RedisKeyring keys() {
        return keys;
    }

    Duration idleTimeout() {
        return idleTimeout;
    }

    List<String> profiles() {
        return profiles;
    }
}
