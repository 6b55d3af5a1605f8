package io.github.aksauthproxy.it;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The service behind real nginx configured as ingress-nginx renders auth-url, auth-signin, auth-response-headers and
 * configuration-snippet, from the annotations of ingress/ingress-nginx/protected-app.yaml.
 */
class NginxIngressTest extends ThroughProxyContract {
    @Override
    ProxyProcess startProxy(Path dir, int port) throws Exception {
        return NginxIngress.start(dir, "127.0.0.1", port, service.config.publicPort(), service.config.internalPort(), echo.port());
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
        return false;
    }

    @Override
    int oversizedCookieStatus() {
        return 400;
    }

    /** The other ingress-nginx examples, rendered from their own annotations, protect the app as well. */
    @ParameterizedTest
    @ValueSource(strings = {"ingress/ingress-nginx/headlamp.yaml", "ingress/ingress-nginx/kubernetes-api.yaml"})
    void noSpellingOfAnyIdentityHeaderReachesTheAppBehindEveryIngressNginxExample(String manifest, @TempDir Path dir) throws Exception {
        TestBrowser b = signedIn("/app");
        int port = ServiceUnderTest.freePort();
        try (ProxyProcess other = NginxIngress.start(Path.of(manifest), dir, "127.0.0.1", port, service.config.publicPort(),
                service.config.internalPort(), echo.port())) {
            noForgedSpellingReachesTheApp(b, other.url);
        }
    }
}
