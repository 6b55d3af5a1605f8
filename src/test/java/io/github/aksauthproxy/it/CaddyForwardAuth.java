package io.github.aksauthproxy.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Real Caddy 2.6 (Debian's) with forward_auth, configured from ingress/caddy/Caddyfile.template. */
final class CaddyForwardAuth {
    static final Path TEMPLATE = Path.of("ingress/caddy/Caddyfile.template");

    private CaddyForwardAuth() {
    }

    static ProxyProcess start(Path dir, int port, int publicPort, int internalPort, int upstreamPort) throws Exception {
        Path caddy = RequiredBinary.find("caddy", "caddy");
        Path conf = dir.resolve("Caddyfile");
        Files.writeString(conf, ProxyProcess.render(TEMPLATE, Map.of(
                "LISTEN_HOST", "127.0.0.1",
                "LISTEN_PORT", String.valueOf(port),
                "AUTH_PUBLIC", "127.0.0.1:" + publicPort,
                "AUTH_INTERNAL", "127.0.0.1:" + internalPort,
                "UPSTREAM", "127.0.0.1:" + upstreamPort)));
        String home = dir.toAbsolutePath().toString();
        // Caddy keeps state under HOME/XDG dirs: keep it in the temp dir.
        return ProxyProcess.start(List.of(caddy.toString(), "run", "--adapter", "caddyfile", "--config", conf.toAbsolutePath().toString()),
                dir, port, Map.of("HOME", home, "XDG_DATA_HOME", home + "/data", "XDG_CONFIG_HOME", home + "/config"));
    }
}
