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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local demo, {@code mvn -q test-compile exec:java}: a stand-in for Entra with its login page (type any user
 * name), aks-auth-proxy, a small protected app, and real nginx in front configured as ingress-nginx renders the
 * annotations (ingress/nginx/nginx.conf.template). Installs nginx with apt-get on Debian when it is missing.
 * Ctrl-C stops everything it started. Lives in the test tree so the production jar never contains the stand-in.
 */
public final class Demo implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Demo.class);
    /** Where browsers open the demo; DEMO_PORT changes it. */
    static final int DEFAULT_PORT = 8080;

    final String url;
    private final EntraStandIn idp;
    private final Vertx vertx;
    private final AuthProxyServer service;
    private final HttpServer app;
    private final ProxyProcess nginx;

    private Demo(String url, EntraStandIn idp, Vertx vertx, AuthProxyServer service, HttpServer app, ProxyProcess nginx) {
        this.url = url;
        this.idp = idp;
        this.vertx = vertx;
        this.service = service;
        this.app = app;
        this.nginx = nginx;
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(System.getenv().getOrDefault("DEMO_PORT", String.valueOf(DEFAULT_PORT)));
        installNginxIfMissing();
        Demo demo = start(port);
        LOG.info("""

                aks-auth-proxy demo is running. Open {}/ and sign in with any user name.
                  nginx (as ingress-nginx renders auth-url/auth-signin) -> aks-auth-proxy -> stand-in for Entra ID at {}
                  the protected app shows the identity headers and the decoded token it received
                Ctrl-C stops it.""", demo.url, demo.idp.authorityHost());
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            demo.close();
            LOG.info("demo stopped");
            stop.countDown();
        }));
        stop.await();
    }

    static Demo start(int port) throws Exception {
        EntraStandIn idp = new EntraStandIn(true);
        Path dir = Files.createTempDirectory("aks-auth-proxy-demo");
        Path tokenFile = dir.resolve("azure-identity-token");
        ServiceUnderTest.writeAssertion(tokenFile, "demo", new MutableClock(Instant.now()));
        String url = "http://localhost:" + port;
        int publicPort = ServiceUnderTest.freePort();
        int internalPort = ServiceUnderTest.freePort();
        Map<String, String> env = ServiceUnderTest.environment(idp, dir, tokenFile, url, publicPort, internalPort);
        env.put("AKS_AUTH_PROXY_ALLOWED_REDIRECT_DOMAINS", "localhost:" + port);
        Vertx vertx = Vertx.vertx();
        AuthProxyServer service = AuthProxyServer.start(vertx, ConfigLoader.load(env), Clock.systemUTC(), new SecureRandom(),
                Optional.of(new EntraLikeHttpClient(idp.trust()))).await(30, TimeUnit.SECONDS);
        HttpServer app = DemoApp.start(vertx, ServiceUnderTest.freePort());
        ProxyProcess nginx = NginxIngress.start(dir, "127.0.0.1", port, publicPort, internalPort, app.actualPort());
        return new Demo(url, idp, vertx, service, app, nginx);
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
        idp.close();
    }
}
