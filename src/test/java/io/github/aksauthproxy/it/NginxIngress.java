package io.github.aksauthproxy.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Real nginx (Debian's, with set-misc) configured from ingress/nginx/nginx.conf.template, as ingress-nginx renders it
 * for one of the shipped ingress-nginx examples: its auth-response-headers and configuration-snippet annotations are
 * rendered into the protected location, so a header the example forgets to list reaches the app here too.
 */
public final class NginxIngress {
    static final Path TEMPLATE = Path.of("ingress/nginx/nginx.conf.template");
    /** The shipped ingress-nginx example the tests render by default. */
    public static final Path PROTECTED_APP = IngressNginxAnnotations.PROTECTED_APP;

    private NginxIngress() {
    }

    /**
     * @param listenHost the address browsers use (127.0.0.1, or localhost for a real browser)
     * @param service    the service's public and internal listeners on loopback
     */
    static ProxyProcess start(Path dir, String listenHost, int port, int publicPort, int internalPort, int upstreamPort) throws Exception {
        return start(IngressNginxAnnotations.PROTECTED_APP, dir, listenHost, port, publicPort, internalPort, upstreamPort);
    }

    /** @param manifest the ingress-nginx example whose annotations the protected location renders */
    static ProxyProcess start(Path manifest, Path dir, String listenHost, int port, int publicPort, int internalPort, int upstreamPort)
            throws Exception {
        return start(manifest, dir, listenHost, port, publicPort, internalPort, upstreamPort, Map.of());
    }

    /**
     * @param profileRoutes more protected locations, path prefix to profile: what ingress-nginx renders for another
     *     Ingress of the same host whose auth-url ends in {@code ?profile=<name>} (its own auth location, its own
     *     protected location, the same annotations otherwise)
     */
    static ProxyProcess start(Path manifest, Path dir, String listenHost, int port, int publicPort, int internalPort, int upstreamPort,
                              Map<String, String> profileRoutes) throws Exception {
        Path nginx = RequiredBinary.find("nginx", "nginx");
        Path conf = dir.resolve("nginx.conf");
        Files.writeString(conf, render(manifest, dir, listenHost + ":" + port, "127.0.0.1:" + publicPort, "127.0.0.1:" + internalPort,
                "127.0.0.1:" + upstreamPort, profileRoutes));
        return ProxyProcess.start(List.of(nginx.toString(), "-p", dir.toAbsolutePath().toString(), "-c", conf.toAbsolutePath().toString(),
                "-e", dir.resolve("error.log").toAbsolutePath().toString()), dir, port, Map.of());
    }

    /**
     * The configuration {@link #start} runs: the template rendered for {@code manifest}'s annotations, with each
     * address a {@code host:port} or the name of an upstream block the caller adds (the fault harness's two replicas).
     */
    public static String render(Path manifest, Path dir, String listen, String authPublic, String authInternal, String upstream,
                                Map<String, String> profileRoutes) throws Exception {
        IngressNginxAnnotations annotations = IngressNginxAnnotations.of(manifest);
        Path modules = Path.of("/usr/lib/nginx/modules");
        if (!Files.exists(modules.resolve("ngx_http_set_misc_module.so"))) {
            throw new AssertionError("nginx's set-misc module is missing (set_escape_uri, as ingress-nginx uses): install the Debian "
                    + "package 'libnginx-mod-http-set-misc' (./scripts/test installs it)");
        }
        return withProfileRoutes(ProxyProcess.render(TEMPLATE, Map.of(
                "DIR", dir.toAbsolutePath().toString(),
                "MODULES", modules.toString(),
                "LISTEN", listen,
                "SIGNIN_URL", "http://$http_host/oauth2/start",
                "AUTH_PUBLIC", authPublic,
                "AUTH_INTERNAL", authInternal,
                "UPSTREAM", upstream,
                "AUTH_RESPONSE_HEADERS", annotations.authResponseHeaderLines().stripTrailing(),
                "CONFIGURATION_SNIPPET", annotations.configurationSnippet())), profileRoutes);
    }

    /** The rendered config with a copy of the auth location and of the protected location for each profile route. */
    static String withProfileRoutes(String conf, Map<String, String> profileRoutes) {
        Matcher auth = Pattern.compile("(?s)\\n        location = /_external-auth \\{.*?\\n        }").matcher(conf);
        Matcher app = Pattern.compile("(?s)\\n        location / \\{.*?\\n        }").matcher(conf);
        if (!auth.find() || !app.find()) {
            throw new IllegalStateException("the template's auth or protected location was not found");
        }
        StringBuilder extra = new StringBuilder();
        profileRoutes.forEach((prefix, profile) -> {
            extra.append(auth.group().replace("location = /_external-auth {", "location = /_external-auth-" + profile + " {")
                    .replace("/oauth2/auth;", "/oauth2/auth?profile=" + profile + ";"));
            extra.append(app.group().replace("location / {", "location " + prefix + " {")
                    .replace("auth_request /_external-auth;", "auth_request /_external-auth-" + profile + ";"));
        });
        return conf.substring(0, app.start()) + extra + conf.substring(app.start());
    }
}
