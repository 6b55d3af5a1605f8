package io.github.aksauthproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The service behind real Caddy 2.6 forward_auth, which has no auth-signin hook: the service itself sends browsers
 * to sign in (?redirect=browser), rebuilding the way back from the X-Forwarded-* headers of the trusted proxy.
 */
class CaddyForwardAuthTest extends ThroughProxyContract {
    @Override
    ProxyProcess startProxy(Path dir, int port) throws Exception {
        return CaddyForwardAuth.start(dir, port, service.config.publicPort(), service.config.internalPort(), echo.port());
    }

    @Override
    Map<String, String> serviceSettings() {
        return Map.of("AKS_AUTH_PROXY_TRUSTED_PROXIES", "127.0.0.1/32");
    }

    @Override
    Map<String, String> browserHeaders() {
        return Map.of("Accept", "text/html,application/xhtml+xml");
    }

    @Override
    boolean stripsAnyNumberOfCookiesExactly() {
        return true;
    }

    @Override
    int oversizedCookieStatus() {
        // Caddy passes it on; the service finds no session in it and sends the browser to sign in.
        return 302;
    }

    @Test
    void apiClientWithoutSessionGets401NotARedirect() {
        TestBrowser api = new TestBrowser(idp.trust());
        HttpResponse<String> r = api.get(proxy.url + "/app", Map.of("Accept", "application/json"));
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("Location")).isEmpty();
        assertThat(r.body()).isEqualTo("unauthenticated");
    }
}
