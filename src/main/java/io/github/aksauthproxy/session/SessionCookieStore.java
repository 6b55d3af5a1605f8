package io.github.aksauthproxy.session;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.http.Cookie;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Sessions kept entirely in the encrypted cookie, so any replica serves any user and a restart loses nothing.
 *
 * <p>Idle-timeout renewal has to pass through an auth subrequest, and NGINX copies only the <em>first</em>
 * {@code Set-Cookie} of that response to the browser. So a renewal is always exactly one cookie: a session that
 * fits in one cookie (the common case) is re-issued whole; a chunked session is never rewritten by a renewal
 * (a partial rewrite would mix chunks), instead a small separate activity cookie carries the newer stamp. So does
 * a one-cookie session just under the limit whose renewed form no longer fits (its stamps differ, so it compresses
 * less). The later of the two stamps counts for every session, for the idle timeout and for spacing renewals by
 * an eighth of the idle timeout, so most requests carry no cookie at all.
 *
 * <p>The auth subrequest runs on every request through the ingress, and decrypting, inflating and parsing a
 * session costs far more than the rest of the answer. Recently decoded sessions and activity stamps are therefore
 * kept by their exact cookie value: the same value always decodes to the same thing, so this changes nothing but
 * the cost.
 * Lifetime and idle timeout are still checked on every request; rejections are never kept.
 */
public final class SessionCookieStore implements SessionStore {
    /** Browsers keep about 4,096 bytes per cookie including its name and attributes. */
    static final int CHUNK_SIZE = 4000;
    private static final int MAX_CHUNKS = 8;
    private static final String SESSION_KIND = "session";
    private static final String ACTIVITY_KIND = "activity";
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);
    /** The most decoded sessions (and activity stamps) kept, whatever their size. */
    public static final int MOST_KEPT = 10_000;

    private final CookieCodec codec;
    private final CookieNames names;
    private final Clock clock;
    private final Duration idleTimeout;
    private final Duration renewEvery;
    /** Keyed by the cookie value (a few KB): bounded by what they retain as well as by count. */
    private final Cache<CookieValue, Session> decoded;
    private final Cache<CookieValue, Activity> activities;

    public SessionCookieStore(CookieCodec codec, CookieNames names, Clock clock, Duration idleTimeout) {
        this(codec, names, clock, idleTimeout, 64L << 20);
    }

    /** @param maxBytes the most bytes the decoded sessions and activity stamps may hold together, as estimated */
    public SessionCookieStore(CookieCodec codec, CookieNames names, Clock clock, Duration idleTimeout, long maxBytes) {
        this.decoded = Caffeine.newBuilder().maximumWeight(maxBytes / 4 * 3)
                .weigher(CacheBounds.bytesAndCount(maxBytes / 4 * 3, MOST_KEPT, (CookieValue cookie, Session s) -> cookie.value().length() + Session.retainedBytes(s)))
                .expireAfterAccess(Duration.ofMinutes(5)).build();
        this.activities = Caffeine.newBuilder().maximumWeight(maxBytes / 4)
                .weigher(CacheBounds.bytesAndCount(maxBytes / 4, MOST_KEPT, (CookieValue cookie, Activity a) -> 300 + cookie.value().length() + a.sid().length()))
                .expireAfterAccess(Duration.ofMinutes(5)).build();
        this.codec = codec;
        this.names = names;
        this.clock = clock;
        this.idleTimeout = idleTimeout;
        Duration eighth = idleTimeout.dividedBy(8);
        this.renewEvery = eighth.compareTo(Duration.ofSeconds(10)) < 0 ? Duration.ofSeconds(10) : eighth;
    }

    @Override
    public CompletionStage<Loaded> load(Map<String, String> cookies) {
        return CompletableFuture.completedFuture(read(cookies));
    }

    private Loaded read(Map<String, String> cookies) {
        String single = cookies.get(names.session());
        boolean chunked = single == null;
        String value = chunked ? joinChunks(cookies) : single;
        if (value == null) {
            return Loaded.rejected(SessionRejected.MISSING);
        }
        CookieValue key = new CookieValue(value);
        Session session = decoded.getIfPresent(key);
        if (session == null) {
            CookieCodec.Decoded d = codec.decrypt(SESSION_KIND, value);
            if (!d.ok()) {
                return Loaded.rejected(d.rejected());
            }
            session = SessionJson.fromJson(d.payload()).orElse(null);
            if (session == null) {
                return Loaded.rejected(SessionRejected.MALFORMED);
            }
            decoded.put(key, session);
        }
        Instant now = clock.instant();
        if (!now.isBefore(session.expiresAt())) {
            return Loaded.expired(SessionRejected.EXPIRED, session);
        }
        // Any session may have an activity cookie: a one-cookie session whose renewal outgrew one cookie gets one too.
        Instant seen = laterActivity(cookies, session.id(), session.lastSeen());
        if (idleSince(seen, now)) {
            return Loaded.expired(SessionRejected.IDLE_EXPIRED, session);
        }
        if (Duration.between(seen, now).compareTo(renewEvery) < 0) {
            return new Loaded(session, null, List.of());
        }
        Session renewed = session.seenAt(now);
        if (!chunked) {
            String encoded = encode(renewed);
            if (encoded.length() <= CHUNK_SIZE) {
                return new Loaded(renewed, null, List.of(names.set(names.session(), encoded, maxAge(renewed))));
            }
        }
        JsonObject activity = new JsonObject().put("sid", session.id()).put("seen", now.getEpochSecond());
        return new Loaded(renewed, null, List.of(names.set(names.activity(), codec.encrypt(ACTIVITY_KIND, activity), maxAge(renewed))));
    }

    @Override
    public CompletionStage<Saved> save(Session session, Map<String, String> requestCookies) {
        String encoded = encode(session);
        long maxAge = maxAge(session);
        List<Cookie> out = new ArrayList<>();
        if (encoded.length() <= CHUNK_SIZE) {
            out.add(names.set(names.session(), encoded, maxAge));
        } else {
            int count = (encoded.length() + CHUNK_SIZE - 1) / CHUNK_SIZE;
            for (int i = 0; i < count; i++) {
                out.add(names.set(names.sessionChunk(i), encoded.substring(i * CHUNK_SIZE, Math.min(encoded.length(), (i + 1) * CHUNK_SIZE)), maxAge));
            }
        }
        for (Cookie stale : clear(requestCookies)) {
            if (out.stream().noneMatch(c -> c.getName().equals(stale.getName()))) {
                out.add(stale);
            }
        }
        return CompletableFuture.completedFuture(new Saved(session, out));
    }

    /** Nothing to delete: the session is only in the cookie, which {@link #clear} removes from this browser. */
    @Override
    public CompletionStage<Void> end(Session session) {
        return DONE;
    }

    @Override
    public Optional<String> presentedId(Map<String, String> cookies) {
        Loaded l = read(cookies);
        return Optional.ofNullable(l.ok() ? l.session() : l.expired()).map(Session::id);
    }

    @Override
    public List<Cookie> clear(Map<String, String> requestCookies) {
        return names.expireSession(requestCookies);
    }

    private boolean idleSince(Instant seen, Instant now) {
        return Duration.between(seen, now).compareTo(idleTimeout) >= 0;
    }

    /** The later of the session's own stamp and that of an activity cookie of the same session. */
    private Instant laterActivity(Map<String, String> cookies, String sid, Instant seen) {
        String value = cookies.get(names.activity());
        if (value == null) {
            return seen;
        }
        CookieValue key = new CookieValue(value);
        Activity activity = activities.getIfPresent(key);
        if (activity == null) {
            CookieCodec.Decoded d = codec.decrypt(ACTIVITY_KIND, value);
            if (!d.ok() || !(d.payload().getValue("sid") instanceof String stampSid) || !(d.payload().getValue("seen") instanceof Number n)
                    || n.longValue() < Instant.MIN.getEpochSecond() || n.longValue() > Instant.MAX.getEpochSecond()) {
                return seen;
            }
            activity = new Activity(stampSid, Instant.ofEpochSecond(n.longValue()));
            activities.put(key, activity);
        }
        return activity.sid().equals(sid) && activity.seen().isAfter(seen) ? activity.seen() : seen;
    }

    /**
     * A cookie value as a cache key: equal only to the very same value, hashed by its last characters only. Those
     * are the JWE's authentication tag (RFC 7516 section 7.1), which differs between any two cookies this service
     * wrote; hashing the whole value (600 characters to several KB) cost about as much as the rest of the lookup. A
     * value made to collide gains nothing: it still has to equal a cached value, and values that fail to decrypt
     * are never cached.
     */
    private record CookieValue(String value) {
        private static final int HASHED_CHARS = 32;

        @Override
        public int hashCode() {
            int h = 0;
            for (int i = Math.max(0, value.length() - HASHED_CHARS); i < value.length(); i++) {
                h = 31 * h + value.charAt(i);
            }
            return h;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof CookieValue other && other.value.equals(value);
        }

        @Override
        public String toString() {
            return "CookieValue[redacted]";
        }
    }

    /** A decoded activity cookie: whose session it stamps, and when that session was last used. */
    private record Activity(String sid, Instant seen) {
    }

    private String joinChunks(Map<String, String> cookies) {
        if (!cookies.containsKey(names.sessionChunk(0))) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < MAX_CHUNKS && cookies.containsKey(names.sessionChunk(i)); i++) {
            sb.append(cookies.get(names.sessionChunk(i)));
        }
        return sb.toString();
    }

    private long maxAge(Session s) {
        return Math.max(0, Duration.between(clock.instant(), s.expiresAt()).getSeconds());
    }

    String encode(Session s) {
        return codec.encrypt(SESSION_KIND, SessionJson.toJson(s));
    }
}
