package io.github.aksauthproxy.token;

import io.github.aksauthproxy.entra.AccessToken;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Minted tokens per session and profile, bounded by the bytes they hold ({@code AKS_AUTH_PROXY_TOKEN_CACHE_MAX_BYTES}).
 * When a new token would exceed the bound, the least recently used tokens go first: those of sessions that have been
 * idle longest. An evicted token is minted again on its session's next request.
 *
 * <p>Plain LRU rather than Caffeine's W-TinyLFU: TinyLFU admits a new entry only when it has been seen more often
 * than the entry it would replace, so in a full cache a session's freshly minted token is turned away on a tie and
 * its next request costs another round trip to Entra. Here a new token always stays, and the token nobody asked for
 * longest leaves. Each lookup holds one lock for a hash lookup and a relink: no I/O, nothing that can wait.
 *
 * <p>An entry is weighed by what it retains on a 64-bit JVM with compressed pointers: the token's and the session
 * id's characters (JWTs and session ids are ASCII, one byte each in a compact string) and {@link #ENTRY_OVERHEAD} for
 * the objects around them.
 */
final class TokenCache {
    /**
     * Bytes an entry retains besides its two strings' characters, 8-byte aligned: the map's entry (40) and its share
     * of the bucket table (up to 16: a table at least a third full, 4 bytes a bucket), the key (24), the token record
     * (24) and its expiry instant (24), and the headers of the two strings (24 each) and their byte arrays (16 each).
     * The profile name and the empty ID token are shared.
     */
    static final int ENTRY_OVERHEAD = 40 + 16 + 24 + 24 + 24 + 2 * (24 + 16);

    private final Clock clock;
    private final Duration margin;
    private final long maxBytes;
    /** Access order: the first entry is the least recently used. Guarded by {@code this}. */
    private final LinkedHashMap<TokenService.Key, AccessToken> entries = new LinkedHashMap<>(1024, 0.75f, true);
    private volatile long bytes;
    private volatile long evictions;

    /**
     * @param margin a token is not handed out with less than this left
     * @param maxBytes the most bytes the entries may hold together
     */
    TokenCache(Clock clock, Duration margin, long maxBytes) {
        this.clock = clock;
        this.margin = margin;
        this.maxBytes = maxBytes;
    }

    /** The token while it has more than the margin left, else null (and an expired one is dropped). */
    synchronized AccessToken get(TokenService.Key key) {
        AccessToken token = entries.get(key);
        if (token == null) {
            return null;
        }
        if (clock.instant().isBefore(token.expiresOn().minus(margin))) {
            return token;
        }
        entries.remove(key);
        bytes -= weight(key, token);
        return null;
    }

    /** Keeps the token as the most recently used, then drops the least recently used ones until the bound holds. */
    synchronized void put(TokenService.Key key, AccessToken token) {
        AccessToken old = entries.put(key, token);
        long b = bytes + weight(key, token) - (old == null ? 0 : weight(key, old));
        long evicted = 0;
        Iterator<Map.Entry<TokenService.Key, AccessToken>> eldest = entries.entrySet().iterator();
        while (b > maxBytes && eldest.hasNext()) {
            Map.Entry<TokenService.Key, AccessToken> e = eldest.next();
            b -= weight(e.getKey(), e.getValue());
            eldest.remove();
            evicted++;
        }
        bytes = b;
        if (evicted > 0) {
            evictions += evicted;
        }
    }

    synchronized void invalidate(TokenService.Key key) {
        AccessToken old = entries.remove(key);
        if (old != null) {
            bytes -= weight(key, old);
        }
    }

    /** The bytes the entries retain, as weighed. */
    long bytes() {
        return bytes;
    }

    synchronized int entries() {
        return entries.size();
    }

    /** Tokens dropped to keep within the bound since start (expired ones are not counted). */
    long evictions() {
        return evictions;
    }

    long maxBytes() {
        return maxBytes;
    }

    /** What an entry retains: a function of its two strings' lengths alone, so it need not be stored. */
    static long weight(TokenService.Key key, AccessToken token) {
        return ENTRY_OVERHEAD + aligned(key.sessionId().length()) + aligned(token.value().length());
    }

    private static long aligned(int chars) {
        return (chars + 7L) & ~7L;
    }
}
