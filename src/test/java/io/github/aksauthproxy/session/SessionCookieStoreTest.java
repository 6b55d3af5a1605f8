package io.github.aksauthproxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.aksauthproxy.config.CookieKey;
import io.github.aksauthproxy.config.Secret;
import io.github.aksauthproxy.it.MutableClock;
import io.vertx.core.http.Cookie;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SessionCookieStoreTest {
    private final SecureRandom random = new SecureRandom();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T08:00:00Z"));
    private final CookieNames names = new CookieNames(Optional.empty());
    private final SessionCookieStore store = new SessionCookieStore(
            new CookieCodec(List.of(CookieKey.of(bytes(32)))), names, clock, Duration.ofHours(1));

    /** An Entra refresh token is an opaque string of about 1,000 to 1,800 characters; take the long end. */
    private Session session(int groups) {
        String rt = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(1350));
        List<String> ids = IntStream.range(0, groups).mapToObj(i -> java.util.UUID.randomUUID().toString()).toList();
        Instant now = clock.instant();
        return new Session(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(18)), java.util.UUID.randomUUID().toString(),
                java.util.UUID.randomUUID().toString(), "alice.longname@contoso.onmicrosoft.com", "Alice Longname",
                "alice.longname@contoso.com", ids, new Secret(rt), now, now.plus(Duration.ofHours(12)), now);
    }

    static List<Cookie> saved(SessionStore store, Session session, Map<String, String> cookies) {
        return store.save(session, cookies).toCompletableFuture().join().cookies();
    }

    static SessionStore.Loaded loaded(SessionStore store, Map<String, String> cookies) {
        return store.load(cookies).toCompletableFuture().join();
    }

    private static Map<String, String> jar(List<Cookie> cookies) {
        Map<String, String> m = new HashMap<>();
        cookies.stream().filter(c -> c.getMaxAge() != 0).forEach(c -> m.put(c.getName(), c.getValue()));
        return m;
    }

    @Test
    void sessionWithARealisticRefreshTokenAndTwentyGroupsFitsOneCookie() {
        List<Cookie> saved = saved(store, session(20), Map.of());
        assertThat(saved).singleElement().satisfies(c -> {
            assertThat(c.getName()).isEqualTo("__Host-aks-auth-proxy");
            assertThat(c.getValue().length()).isLessThan(SessionCookieStore.CHUNK_SIZE);
            assertThat(c.encode()).contains("; Secure").containsIgnoringCase("; HttpOnly").contains("; SameSite=Lax").contains("; Path=/");
        });
    }

    @Test
    void manyGroupsSplitIntoChunksThatLoadBack() {
        Session s = session(120);
        List<Cookie> saved = saved(store, s, Map.of("__Host-aks-auth-proxy", "stale"));
        assertThat(saved).extracting(Cookie::getName).contains("__Host-aks-auth-proxy_0", "__Host-aks-auth-proxy_1");
        assertThat(saved).filteredOn(c -> c.getName().equals("__Host-aks-auth-proxy")).singleElement()
                .satisfies(c -> assertThat(c.getMaxAge()).isZero());
        SessionStore.Loaded loaded = loaded(store, jar(saved));
        assertThat(loaded.ok()).isTrue();
        assertThat(loaded.session().groups()).isEqualTo(s.groups());
        assertThat(loaded.session().refreshToken().value()).isEqualTo(s.refreshToken().value());
    }

    /**
     * Decoded sessions are kept by cookie value, hashed by its last characters only: a value that shares those with a
     * session just accepted, but differs anywhere before them, is still opened (and refused) on its own.
     */
    @Test
    void cookieAlteredBeforeItsTagIsRefusedAfterTheOriginalWasAccepted() {
        Map<String, String> cookies = jar(saved(store, session(3), Map.of()));
        assertThat(loaded(store, cookies).ok()).isTrue();
        String value = cookies.get("__Host-aks-auth-proxy");
        int at = value.length() / 2;
        String altered = value.substring(0, at) + (value.charAt(at) == 'A' ? 'B' : 'A') + value.substring(at + 1);

        SessionStore.Loaded refused = loaded(store, Map.of("__Host-aks-auth-proxy", altered));

        assertThat(refused.ok()).isFalse();
        assertThat(refused.rejected()).isIn(SessionRejected.MALFORMED, SessionRejected.DECRYPTION_FAILED);
    }

    @Test
    void missingChunkIsRejectedNotAnError() {
        Map<String, String> cookies = jar(saved(store, session(120), Map.of()));
        cookies.remove("__Host-aks-auth-proxy_1");
        assertThat(loaded(store, cookies).rejected()).isIn(SessionRejected.MALFORMED, SessionRejected.DECRYPTION_FAILED);
    }

    @Test
    void renewalIsSpacedOutAndAlwaysOneCookie() {
        Map<String, String> cookies = jar(saved(store, session(3), Map.of()));
        clock.advance(Duration.ofMinutes(5));
        assertThat(loaded(store, cookies).renewal()).as("no renewal within an eighth of the idle timeout").isEmpty();
        clock.advance(Duration.ofMinutes(5));
        List<Cookie> renewal = loaded(store, cookies).renewal();
        assertThat(renewal).singleElement().satisfies(c -> assertThat(c.getName()).isEqualTo("__Host-aks-auth-proxy"));
        clock.advance(Duration.ofMinutes(55));
        assertThat(loaded(store, jar(renewal)).ok()).as("the renewed cookie restarts the idle clock").isTrue();
        assertThat(loaded(store, cookies).rejected()).isEqualTo(SessionRejected.IDLE_EXPIRED);
    }

    @Test
    void chunkedSessionIsKeptAliveByTheActivityCookieOfTheSameSessionOnly() {
        Map<String, String> cookies = jar(saved(store, session(120), Map.of()));
        Map<String, String> other = jar(saved(store, session(120), Map.of()));
        clock.advance(Duration.ofMinutes(50));
        List<Cookie> renewal = loaded(store, cookies).renewal();
        assertThat(renewal).singleElement().satisfies(c -> assertThat(c.getName()).isEqualTo("__Host-aks-auth-proxy-seen"));
        clock.advance(Duration.ofMinutes(50));
        Map<String, String> withActivity = new HashMap<>(cookies);
        withActivity.putAll(jar(renewal));
        assertThat(loaded(store, withActivity).ok()).isTrue();
        assertThat(loaded(store, cookies).rejected()).isEqualTo(SessionRejected.IDLE_EXPIRED);
        Map<String, String> stolenActivity = new HashMap<>(other);
        stolenActivity.putAll(jar(renewal));
        assertThat(loaded(store, stolenActivity).rejected()).as("another session's activity stamp does not count")
                .isEqualTo(SessionRejected.IDLE_EXPIRED);
    }

    @Test
    void anActivityStampNoInstantCanHoldIsIgnored() {
        CookieCodec codec = new CookieCodec(List.of(CookieKey.of(bytes(32))));
        SessionCookieStore s = new SessionCookieStore(codec, names, clock, Duration.ofHours(1));
        Session session = session(3);
        Map<String, String> cookies = new HashMap<>(jar(saved(s, session, Map.of())));
        cookies.put("__Host-aks-auth-proxy-seen", codec.encrypt("activity", new io.vertx.core.json.JsonObject().put("sid", session.id())
                .put("seen", 1e300)));
        assertThat(loaded(s, cookies).ok()).isTrue();
    }

    @Test
    void aLoginCookieValueIsNotAcceptedAsASession() {
        CookieCodec codec = new CookieCodec(List.of(CookieKey.of(bytes(32))));
        SessionCookieStore s = new SessionCookieStore(codec, names, clock, Duration.ofHours(1));
        LoginStateCookies logins = new LoginStateCookies(codec, names, clock);
        Cookie login = logins.write(new LoginState("S".repeat(43), new Secret("n"), new Secret("v"), "/", clock.instant()));
        assertThat(loaded(s, Map.of("__Host-aks-auth-proxy", login.getValue())).rejected()).isEqualTo(SessionRejected.WRONG_KIND);
    }

    @Test
    void clearRemovesEverySessionPartButNotOtherCookies() {
        List<Cookie> cleared = store.clear(Map.of("__Host-aks-auth-proxy_0", "a", "__Host-aks-auth-proxy_1", "b",
                "__Host-aks-auth-proxy-seen", "c", "__Host-aks-auth-proxy-login-xyz", "d", "app_session", "e"));
        assertThat(cleared).extracting(Cookie::getName).containsExactlyInAnyOrder("__Host-aks-auth-proxy_0", "__Host-aks-auth-proxy_1",
                "__Host-aks-auth-proxy-seen");
        assertThat(cleared).allMatch(c -> c.getMaxAge() == 0);
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
