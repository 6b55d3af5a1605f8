package io.github.aksauthproxy.it;

import io.github.aksauthproxy.config.ConfigLoader;
import io.github.aksauthproxy.http.AuthProxyServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local demo, {@code mvn -q test-compile exec:java}: a stand-in for Entra with its login page (type any user
 * name), aks-auth-proxy, a stand-in for the Kubernetes API server that maps the demo's users to RBAC answers, a small
 * protected app and an RBAC-gated one, and real nginx in front configured as ingress-nginx renders the annotations
 * (ingress/nginx/nginx.conf.template with the example's error pages). Installs nginx with apt-get on Debian when it
 * is missing. Ctrl-C stops everything it started within a second or two. Lives in the test tree so the production
 * jar never contains the stand-ins.
 */
public final class Demo implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Demo.class);
    /** Where browsers open the demo; DEMO_PORT changes it. */
    static final int DEFAULT_PORT = 8080;
    /** The RBAC-gated app's path: nginx asks /oauth2/auth?profile=rbac for it. */
    static final String RBAC_APP = "/rbac/";
    static final String PROFILES = """
            profiles:
              - name: rbac
                scopes: ["6dae42f8-4368-4678-94ff-3960e28e3630/.default"]
                rbac: %s
            """.formatted(DemoCluster.RULE);

    final String url;
    private final EntraStandIn idp;
    private final DemoCluster cluster;
    private final Vertx vertx;
    private final AuthProxyServer service;
    private final HttpServer app;
    private final ProxyProcess nginx;

    private Demo(String url, EntraStandIn idp, DemoCluster cluster, Vertx vertx, AuthProxyServer service, HttpServer app, ProxyProcess nginx) {
        this.url = url;
        this.idp = idp;
        this.cluster = cluster;
        this.vertx = vertx;
        this.service = service;
        this.app = app;
        this.nginx = nginx;
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(System.getenv().getOrDefault("DEMO_PORT", String.valueOf(DEFAULT_PORT)));
        installNginxIfMissing();
        Demo demo = start(port);
        LOG.info("\n{}", demo.welcome());
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            demo.close();
            LOG.info("demo stopped");
            stop.countDown();
        }));
        stop.await();
    }

    /** What to open and which user names to type to see each outcome. */
    String welcome() {
        Map<String, String> urls = new LinkedHashMap<>();
        urls.put(url + "/", "the protected app: any user name signs in; it shows the identity headers and the token the "
                + "ingress handed it");
        urls.put(url + RBAC_APP, "the RBAC-gated app (profile \"rbac\"): the Kubernetes API server decides, asked with the "
                + "user's own token. Type \"alice\" to be let in; \"bob\" (any other name) gets the 403 page");
        urls.put(url + "/oauth2/whoami", "who you are, and what the cluster sees (SelfSubjectReview: user and groups)");
        urls.put(url + "/oauth2/sign_out", "sign out, to sign in again as someone else");
        int width = urls.keySet().stream().mapToInt(String::length).max().orElse(0);
        StringBuilder b = new StringBuilder("aks-auth-proxy demo is running. Every sign-in goes to a login page that takes any user name.\n\n");
        urls.forEach((u, what) -> b.append("  ").append(u).append(" ".repeat(width - u.length() + 2)).append(what).append('\n'));
        return b.append("\n  nginx (ingress-nginx's auth-url, auth-signin, error pages) -> aks-auth-proxy -> stand-in for Entra ID at ")
                .append(idp.authorityHost())
                .append("\n  stand-in for the Kubernetes API server at ").append(cluster.url())
                .append(": alice may get services/proxy grafana in monitoring, nobody else may do anything")
                .append("\nCtrl-C stops it.").toString();
    }

    static Demo start(int port) throws Exception {
        EntraStandIn idp = new EntraStandIn(true);
        DemoCluster cluster = DemoCluster.start();
        Path dir = Files.createTempDirectory("aks-auth-proxy-demo");
        Path tokenFile = dir.resolve("azure-identity-token");
        ServiceUnderTest.writeAssertion(tokenFile, "demo", new MutableClock(Instant.now()));
        String url = "http://localhost:" + port;
        int publicPort = ServiceUnderTest.freePort();
        int internalPort = ServiceUnderTest.freePort();
        Map<String, String> env = ServiceUnderTest.environment(idp, dir, tokenFile, url, publicPort, internalPort);
        env.put("AKS_AUTH_PROXY_ALLOWED_REDIRECT_DOMAINS", "localhost:" + port);
        env.put("AKS_AUTH_PROXY_CONFIG", Files.writeString(dir.resolve("profiles.yaml"), PROFILES).toString());
        env.put("AKS_AUTH_PROXY_KUBERNETES_API_URL", cluster.url());
        env.put("AKS_AUTH_PROXY_KUBERNETES_CA_FILE", cluster.caFile());
        Vertx vertx = Vertx.vertx();
        AuthProxyServer service = AuthProxyServer.start(vertx, ConfigLoader.load(env), Clock.systemUTC(), new SecureRandom(),
                Optional.of(new EntraLikeHttpClient(idp.trust()))).await(30, TimeUnit.SECONDS);
        HttpServer app = DemoApp.start(vertx, ServiceUnderTest.freePort());
        ProxyProcess nginx = NginxIngress.start(IngressNginxAnnotations.PROTECTED_APP, dir, "127.0.0.1", port, publicPort, internalPort,
                app.actualPort(), Map.of(RBAC_APP, "rbac"));
        return new Demo(url, idp, cluster, vertx, service, app, nginx);
    }

    /** On Debian, installs nginx and set-misc with apt-get (through sudo when not root); elsewhere says what to install. */
    static void installNginxIfMissing() throws Exception {
        boolean present = Files.isExecutable(Path.of("/usr/sbin/nginx")) && Files.exists(Path.of("/usr/lib/nginx/modules/ngx_http_set_misc_module.so"));
        if (present || !Files.exists(Path.of("/etc/debian_version"))) {
            return;
        }
        LOG.info("installing nginx and libnginx-mod-http-set-misc with apt-get");
        List<String> asRoot = "root".equals(System.getProperty("user.name")) ? List.of() : List.of("sudo");
        run(concat(asRoot, List.of("apt-get", "update", "-qq")));
        run(concat(asRoot, List.of("env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-qq", "--no-install-recommends",
                "nginx", "libnginx-mod-http-set-misc")));
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static void run(List<String> command) throws Exception {
        int exit = new ProcessBuilder(command).inheritIO().start().waitFor();
        if (exit != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed with exit code " + exit);
        }
    }

    /**
     * Stops everything, each part awaited on its own. Vert.x is closed last and awaited directly: a future chained
     * onto one of its contexts (app.close().compose(... vertx.close())) completes on an event loop that the close
     * has just terminated, so it never completes; that was a 10 s TimeoutException on every Ctrl-C.
     */
    @Override
    public void close() {
        try {
            nginx.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            app.close().await(5, TimeUnit.SECONDS);
            service.close().await(5, TimeUnit.SECONDS);
            vertx.close().await(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("event=demo.stop reason=\"{}\"", e.getClass().getSimpleName());
        }
        cluster.close();
        idp.close();
    }
}
