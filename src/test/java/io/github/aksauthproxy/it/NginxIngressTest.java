package io.github.aksauthproxy.it;

import java.nio.file.Path;
import java.util.Map;

/** The service behind real nginx configured as ingress-nginx renders auth-url, auth-signin and auth-response-headers. */
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
    int oversizedCookieStatus() {
        return 400;
    }
}
