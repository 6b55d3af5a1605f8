package io.github.aksauthproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.aksauthproxy.config.CookieKey;
import io.github.aksauthproxy.config.Secret;
import io.github.aksauthproxy.session.CookieCodec;
import io.github.aksauthproxy.session.CookieNames;
import io.github.aksauthproxy.session.Session;
import io.github.aksauthproxy.session.SessionCookieStore;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The token cache is bounded by bytes (AKS_AUTH_PROXY_TOKEN_CACHE_MAX_BYTES): when it is full, the token of the
 * session idle longest goes, a session that keeps calling keeps its token, and the evicted session's next request
 * mints its token again, transparently. Token requests are counted at the stand-in IdP.
 */
class TokenCacheBoundTest {
    /** Tokens of about 27 KB: the smallest bound (1 MiB) holds a few dozen. */
    static final String PADDING = "p".repeat(20_000);
    static final int NEWCOMERS = 45;

    @TempDir
    Path dir;
    EntraStandIn idp;
    ServiceUnderTest service;
    SessionCookieStore store;
    Session signedIn;

    @BeforeEach
    void start() throws Exception {
        idp = new EntraStandIn();
        idp.refreshedClaims(Map.of("xms_pad", PADDING));
        service = ServiceUnderTest.start(idp, dir, new MutableClock(Instant.now()), Map.of("AKS_AUTH_PROXY_TOKEN_CACHE_MAX_BYTES", "1m"));
        store = new SessionCookieStore(new CookieCodec(List.of(CookieKey.of(Base64.getDecoder().decode(ServiceUnderTest.KEY_1)))),
                new CookieNames(Optional.empty()), service.clock, Duration.ofHours(1));
        TestBrowser b = new TestBrowser(idp.trust());
        b.follow(service.start("/"));
        signedIn = store.load(Map.of(SignInFlowTest.SESSION, b.cookies.get(SignInFlowTest.SESSION))).toCompletableFuture().join().session();
    }

    @AfterEach
    void stop() throws Exception {
        service.close();
        idp.close();
    }

    @Test
    void whenFullTheIdleSessionsTokenGoesTheBusyOneStaysAndTheIdleOneIsMintedAgainOnItsNextRequest() {
        TestBrowser busy = newSession();
        TestBrowser idle = newSession();
        String busyToken = token(busy);
        String idleToken = token(idle);
        assertThat(busyToken.length()).as("the stand-in's big tokens").isGreaterThan(PADDING.length());
        assertThat(refreshRequests()).isEqualTo(2);

        for (int i = 0; i < NEWCOMERS; i++) {
            token(newSession());
            assertThat(token(busy)).as("the busy session's token stays cached").isEqualTo(busyToken);
        }
        assertThat(refreshRequests()).as("one token request per new session, none for the busy one").isEqualTo(2 + NEWCOMERS);
        Map<String, Double> m = metrics();
        assertThat(m.get(PrometheusText.series("aks_auth_proxy_token_cache_evictions_total"))).as("the cache filled up").isGreaterThan(0);
        assertThat(m.get(PrometheusText.series("aks_auth_proxy_token_cache_bytes"))).isLessThanOrEqualTo(1024 * 1024).isGreaterThan(512 * 1024);
        assertThat(m.get(PrometheusText.series("aks_auth_proxy_token_cache_max_bytes"))).isEqualTo(1024 * 1024);
        assertThat(m.get(PrometheusText.series("aks_auth_proxy_token_cache_entries"))).isLessThan(2 + NEWCOMERS).isGreaterThan(NEWCOMERS / 2);

        HttpResponse<String> again = idle.get(service.auth());
        assertThat(again.statusCode()).as("the evicted session is served, not refused").isEqualTo(200);
        String minted = again.headers().firstValue("Authorization").orElseThrow();
        assertThat(minted).as("a new token, minted for it").isNotEqualTo(idleToken).startsWith("Bearer ");
        assertThat(refreshRequests()).as("exactly one more token request: the idle session's").isEqualTo(3 + NEWCOMERS);
        assertThat(token(busy)).isEqualTo(busyToken);
        assertThat(refreshRequests()).isEqualTo(3 + NEWCOMERS);
    }

    @Test
    void hitsMissesAndTheHitRatioAreOnMetrics() {
        TestBrowser b = newSession();
        token(b);
        token(b);
        token(b);
        Map<String, Double> m = metrics();
        assertThat(m.get(PrometheusText.series("aks_auth_proxy_token_cache_lookups_total", "profile", "aks", "result", "miss"))).isEqualTo(1.0);
        assertThat(m.get(PrometheusText.series("aks_auth_proxy_token_cache_lookups_total", "profile", "aks", "result", "hit"))).isEqualTo(2.0);
        assertThat(m.get(PrometheusText.series("aks_auth_proxy_token_cache_hit_ratio"))).isCloseTo(2.0 / 3, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(m.get(PrometheusText.series("aks_auth_proxy_token_cache_entries"))).isEqualTo(1.0);
        assertThat(m.get(PrometheusText.series("aks_auth_proxy_token_cache_evictions_total"))).isEqualTo(0.0);
        String value = b.get(service.auth()).headers().firstValue("Authorization").orElseThrow().substring("Bearer ".length());
        assertThat(m.get(PrometheusText.series("aks_auth_proxy_token_cache_bytes"))).as("its text, its 43-character session id, the entry's objects")
                .isGreaterThan(value.length() + 43.0).isLessThan(value.length() + 43.0 + 300);
    }

    /** A browser holding a new session of the signed-in user (its own session id, the same refresh token). */
    private TestBrowser newSession() {
        byte[] id = new byte[32];
        new SecureRandom().nextBytes(id);
        Instant now = service.clock.instant();
        Session s = new Session(Base64.getUrlEncoder().withoutPadding().encodeToString(id), signedIn.oid(), signedIn.tid(), signedIn.user(),
                signedIn.name(), signedIn.email(), signedIn.groups(), new Secret(signedIn.refreshToken().value()), now,
                now.plus(Duration.ofHours(12)), now);
        TestBrowser b = new TestBrowser(idp.trust());
        b.cookies.put(SignInFlowTest.SESSION, store.save(s, Map.of()).toCompletableFuture().join().cookies().get(0).getValue());
        return b;
    }

    private String token(TestBrowser b) {
        HttpResponse<String> r = b.get(service.auth());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.headers().firstValue("Authorization").orElseThrow();
    }

    private int refreshRequests() {
        return idp.tokenRequests("refresh_token").size();
    }

    private Map<String, Double> metrics() {
        HttpResponse<String> r = new TestBrowser(idp.trust()).get(service.internalUrl + "/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        return PrometheusText.parse(r.body());
    }
}
