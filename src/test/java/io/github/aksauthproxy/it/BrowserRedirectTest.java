package io.github.aksauthproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * /oauth2/auth's browser redirect when the peer is not a trusted proxy (AKS_AUTH_PROXY_TRUSTED_PROXIES unset): a
 * client's X-Forwarded-* are ignored and the browser goes to sign-in without a way back. The trusted case runs
 * behind real Caddy in CaddyForwardAuthTest.
 */
class BrowserRedirectTest {
    static final Map<String, String> FORWARDED = Map.of("Accept", "text/html", "X-Forwarded-Proto", "https",
            "X-Forwarded-Host", "evil.example", "X-Forwarded-Uri", "/steal");
    static EntraStandIn idp;
    static ServiceUnderTest service;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        idp = new EntraStandIn();
        service = ServiceUnderTest.start(idp, dir, new MutableClock(Instant.now()), Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        service.close();
        idp.close();
    }

    @Test
    void untrustedPeerGetsTheSignInUrlWithoutItsForwardedTarget() {
        HttpResponse<String> r = new TestBrowser(idp.trust()).get(service.auth() + "?redirect=browser", FORWARDED);
        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(r.headers().firstValue("Location")).hasValue("/oauth2/start");
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    }

    @Test
    void withoutTheFlagABrowserStillGets401() {
        HttpResponse<String> r = new TestBrowser(idp.trust()).get(service.auth(), FORWARDED);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("Location")).isEmpty();
    }

    @Test
    void apiClientGets401EvenWithTheFlag() {
        HttpResponse<String> r = new TestBrowser(idp.trust()).get(service.auth() + "?redirect=browser", Map.of("Accept", "application/json"));
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).isEqualTo("unauthenticated");
    }
}
