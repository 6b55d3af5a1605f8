package io.github.aksauthproxy.sidecar;

import io.github.aksauthproxy.async.Causes;
import io.github.aksauthproxy.config.Cidr;
import io.github.aksauthproxy.config.SidecarConfig;
import io.github.aksauthproxy.entra.EntraAppTokens;
import io.github.aksauthproxy.entra.EntraCredentials;
import io.github.aksauthproxy.entra.IdpFailure;
import io.github.aksauthproxy.entra.IdpTls;
import io.github.aksauthproxy.entra.WorkloadIdentityAssertion;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.TrustOptions;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.ProxyOptions;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code sidecar} mode: no users. It keeps one app-only token for the configured scope and proxies every
 * request under the path prefix to the one https upstream with that token as {@code Authorization} (the
 * client's own is dropped), replacing the Prometheus auth-sidecar pattern. {@code /health} reports the token.
 */
public final class SidecarServer {
    private static final Logger LOG = LoggerFactory.getLogger(SidecarServer.class);
    static final int CONNECT_TIMEOUT_MS = 10_000;
    /** A query that sends nothing back for this long is abandoned (504 to the client). */
    static final long UPSTREAM_IDLE_TIMEOUT_MS = 120_000;
    private static final long RENEWAL_CHECK_MS = 10_000;

    private final Vertx vertx;
    private final SidecarConfig config;
    private final Clock clock;
    private final ExecutorService entraExecutor;
    private final SidecarToken token;
    private final HttpClient upstreamClient;
    private HttpServer server;
    private long renewalTimer = -1;

    private SidecarServer(Vertx vertx, SidecarConfig config, Clock clock) {
        this.vertx = vertx;
        this.config = config;
        this.clock = clock;
        this.entraExecutor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "sidecar-entra");
            t.setDaemon(true);
            return t;
        });
        WorkloadIdentityAssertion assertion = new WorkloadIdentityAssertion(config.app().federatedTokenFile().orElse(Path.of("")), clock);
        EntraAppTokens tokens = new EntraAppTokens(config.app(), EntraCredentials.of(config.app(), assertion), entraExecutor,
                IdpTls.socketFactory(config.app().idpCaFile()));
        this.token = new SidecarToken(tokens, config.scope(), clock);
        HttpClientOptions options = new HttpClientOptions().setSsl(true).setVerifyHost(true).setForceSni(true)
                .setConnectTimeout(CONNECT_TIMEOUT_MS);
        config.upstreamCaFile().ifPresent(ca -> options.setTrustOptions(TrustOptions.wrap(
                IdpTls.trustManager(ca, "AKS_AUTH_PROXY_SIDECAR_UPSTREAM_CA_FILE"))));
        this.upstreamClient = vertx.createHttpClient(options);
    }

    /**
     * Gets the first token, then listens. Fails (so the command exits non-zero) when no token can be had: a
     * sidecar that starts without one would only answer 503.
     */
    public static Future<SidecarServer> start(Vertx vertx, SidecarConfig config, Clock clock) {
        SidecarServer sidecar;
        try {
            sidecar = new SidecarServer(vertx, config, clock);
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(e);
        }
        return Future.fromCompletionStage(sidecar.token.first(), vertx.getOrCreateContext())
                .recover(e -> {
                    sidecar.close();
                    Throwable cause = Causes.of(e);
                    String why = cause instanceof IdpFailure f ? f.describe() : cause.getClass().getSimpleName();
                    return Future.failedFuture(new IllegalStateException("no token for scope " + config.scope() + ": " + why));
                })
                .compose(first -> sidecar.listen())
                .map(sidecar);
    }

    private Future<Void> listen() {
        URI upstream = config.upstream();
        int port = upstream.getPort() == -1 ? 443 : upstream.getPort();
        HostAndPort authority = upstream.getPort() == -1 ? HostAndPort.authority(upstream.getHost()) : HostAndPort.authority(upstream.getHost(), port);
        HttpProxy proxy = HttpProxy.reverseProxy(new ProxyOptions().setSupportWebSocket(false), upstreamClient)
                .origin(ctx -> ctx.client().request(new RequestOptions()
                                .setServer(SocketAddress.inetSocketAddress(port, upstream.getHost()))
                                .setConnectTimeout(CONNECT_TIMEOUT_MS)
                                .setIdleTimeout(UPSTREAM_IDLE_TIMEOUT_MS))
                        .map(upstreamRequest -> upstreamRequest.authority(authority)))
                .addInterceptor(new UpstreamAuthorization(token, upstream.getRawPath() == null ? "" : upstream.getRawPath()));
        SidecarRequestHandler handler = new SidecarRequestHandler(token, proxy, config.pathPrefix(), clock);
        return vertx.createHttpServer(new HttpServerOptions().setHost(config.listenAddress()).setPort(config.port()))
                .requestHandler(handler)
                .listen()
                .onSuccess(s -> {
                    server = s;
                    renewalTimer = vertx.setPeriodic(RENEWAL_CHECK_MS, id -> token.renewIfDue());
                    if (!loopback(config.listenAddress())) {
                        LOG.atWarn().addKeyValue("event", "sidecar.exposed").addKeyValue("address", config.listenAddress())
                                .addKeyValue("reason", "every client that reaches this address queries the upstream as the workload "
                                        + "identity; admit only the intended clients with a NetworkPolicy").log();
                    }
                    LOG.atInfo().addKeyValue("event", "sidecar.started").addKeyValue("address", config.listenAddress())
                            .addKeyValue("port", s.actualPort())
                            .addKeyValue("upstream", upstream).addKeyValue("path_prefix", config.pathPrefix())
                            .addKeyValue("scope", config.scope()).addKeyValue("credential", config.app().credential().configName()).log();
                })
                .mapEmpty();
    }

    private static boolean loopback(String literal) {
        try {
            return InetAddress.getByAddress(Cidr.address(literal).orElseThrow()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** The port the sidecar listens on. */
    public int port() {
        return server.actualPort();
    }

    public Future<Void> close() {
        if (renewalTimer >= 0) {
            vertx.cancelTimer(renewalTimer);
        }
        Future<Void> closing = server == null ? Future.succeededFuture() : server.close();
        return closing.eventually(upstreamClient::close).onComplete(x -> entraExecutor.shutdownNow());
    }

    /** The request path, safe to put in a log line. */
    static String printable(HttpServerRequest request) {
        String p = request.path();
        return p == null ? "" : p.replaceAll("[^\\x21-\\x7e]", "?");
    }
}
