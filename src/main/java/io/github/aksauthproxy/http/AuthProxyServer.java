package io.github.aksauthproxy.http;

import com.microsoft.aad.msal4j.IHttpClient;
import io.github.aksauthproxy.access.AccessPolicy;
import io.github.aksauthproxy.access.GraphGroups;
import io.github.aksauthproxy.access.LatestGroups;
import io.github.aksauthproxy.access.HomeTenant;
import io.github.aksauthproxy.config.Config;
import io.github.aksauthproxy.config.CredentialKind;
import io.github.aksauthproxy.config.Profile;
import io.github.aksauthproxy.entra.StepUp;
import io.github.aksauthproxy.entra.AccessToken;
import io.github.aksauthproxy.config.RateLimit;
import io.github.aksauthproxy.entra.EntraAppTokens;
import io.github.aksauthproxy.entra.EntraUserFlows;
import io.github.aksauthproxy.entra.IdpTls;
import io.github.aksauthproxy.entra.TokenRequestThreads;
import io.github.aksauthproxy.entra.WorkloadIdentityAssertion;
import io.github.aksauthproxy.graph.MicrosoftGraph;
import io.github.aksauthproxy.kube.KubernetesApi;
import io.github.aksauthproxy.oidc.BearerTokenValidator;
import io.github.aksauthproxy.oidc.IdTokenValidator;
import io.github.aksauthproxy.observe.AuditLog;
import io.github.aksauthproxy.observe.ServiceMetrics;
import io.github.aksauthproxy.oidc.OidcProvider;
import io.github.aksauthproxy.oidc.ProviderMetadata;
import io.github.aksauthproxy.ratelimit.RateLimiter;
import io.github.aksauthproxy.ratelimit.TokenBucketLimiter;
import io.github.aksauthproxy.redis.RedisBackend;
import io.github.aksauthproxy.redis.RedisUnavailable;
import io.github.aksauthproxy.redirect.RedirectValidator;
import io.github.aksauthproxy.session.CookieCodec;
import io.github.aksauthproxy.session.CookieNames;
import io.github.aksauthproxy.session.LoginStateCookies;
import io.github.aksauthproxy.session.Session;
import io.github.aksauthproxy.session.SessionCookieStore;
import io.github.aksauthproxy.session.SessionStore;
import io.github.aksauthproxy.token.SharedTokens;
import io.github.aksauthproxy.token.TokenService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import javax.net.ssl.SSLSocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the service from its configuration and runs its two listeners: the public one for browsers and the
 * internal one for the ingress's auth subrequests and the kubelet's probes. A response carrying a token exists
 * only on the internal listener.
 */
public final class AuthProxyServer {
    private static final Logger LOG = LoggerFactory.getLogger(AuthProxyServer.class);
    /** Route templates, the only values of the metrics' route label besides "unmatched". */
    private static final List<String> PUBLIC_ROUTES = List.of("/oauth2/start", "/oauth2/callback", "/oauth2/sign_out", "/oauth2/userinfo",
            "/oauth2/whoami", "/oauth2/error");
    private static final List<String> INTERNAL_ROUTES = List.of("/oauth2/auth", "/healthz", "/readyz", "/metrics");
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    /** How often readiness is checked for the ready and degraded gauges: the kubelet's default probe period. */
    private static final Duration READINESS_PERIOD = Duration.ofSeconds(10);
    /**
     * How long requests in flight may take after the listeners close on SIGTERM: one Entra token request at its read
     * timeout (EntraCredentials). The chart's terminationGracePeriodSeconds covers the shutdown delay plus this.
     */
    public static final Duration IN_FLIGHT_GRACE = Duration.ofSeconds(15);

    private final Vertx vertx;
    private final Config config;
    private final ExecutorService entraExecutor;
    private final Router publicRouter;
    private final Router internalRouter;
    private final OidcProvider oidc;
    private final Optional<KubernetesApi> kube;
    private final Optional<MicrosoftGraph> graph;
    private final List<HttpServer> servers = new ArrayList<>();
    private final ServiceMetrics metrics;
    private final boolean ownMetrics;
    private final Optional<RedisBackend> redis;
    private final Readiness readiness;
    private volatile long readinessTimer = -1;
    /** Completed when the listeners are closed and everything is released; set by the first stop. */
    private Future<Void> stopped;
    /** Whether Entra's discovery and keys can be fetched, asked once at start; a stop cancels it (its answer no longer matters). */
    private final CompletableFuture<Optional<String>> startupCheck;

    private AuthProxyServer(Vertx vertx, Config config, Clock clock, SecureRandom random, Optional<IHttpClient> httpClient,
                            ServiceMetrics metrics, boolean ownMetrics, Optional<OidcProvider> prefetching) {
        Optional<SSLSocketFactory> tls = IdpTls.socketFactory(config.idpCaFile());
        this.oidc = prefetching.orElseGet(() -> new OidcProvider(config.discoveryUrl(), tls));
        // Discovery and keys are fetched while the rest is wired and the listeners open, not after: /readyz waits for them.
        this.startupCheck = oidc.prefetch();
        this.vertx = vertx;
        this.config = config;
        this.metrics = metrics;
        this.ownMetrics = ownMetrics;
        TrustedProxies proxies = new TrustedProxies(config.trustedProxies());
        EventRecorder events = new EventRecorder(metrics, new AuditLog(), proxies);
        this.entraExecutor = TokenRequestThreads.create(config.tokenRequestsInFlight(), "entra-");
        WorkloadIdentityAssertion assertion = new WorkloadIdentityAssertion(config.federatedTokenFile().orElse(Path.of("")), clock);
        EntraUserFlows entra = new EntraUserFlows(config, EntraUserFlows.credential(config, assertion), entraExecutor, tls, httpClient);
        IdTokenValidator idTokens = new IdTokenValidator(oidc, config.clientId(), clock);
        CookieCodec codec = new CookieCodec(config.cookieKeys());
        CookieNames names = new CookieNames(config.cookieDomain());
        this.redis = config.redis().map(r -> RedisBackend.create(config, r, clock, random, new EntraAppTokens(config.entraApp(),
                EntraUserFlows.credential(config, assertion), entraExecutor, tls, httpClient)::acquire));
        SessionStore sessions = redis.map(r -> r.sessionStore(names))
                .orElseGet(() -> new SessionCookieStore(codec, names, clock, config.sessionIdleTimeout(), config.memory().sessionCacheBytes()));
        LoginStateCookies loginCookies = new LoginStateCookies(codec, names, clock);
        this.graph = config.groups().graphUrl().map(url -> new MicrosoftGraph(vertx, url, config.idpCaFile()));
        GraphGroups graphGroups = new GraphGroups(graph, config.groups().graphScope(), clock, config.groups().cacheTtl(),
                config.memory().groupsCacheBytes());
        LatestGroups latestGroups = new LatestGroups(config.clientId(), clock, config.memory().groupsCacheBytes());
        List<String> tokenProfiles = new ArrayList<>(config.profiles().keySet());
        tokenProfiles.add(SessionGroups.GRAPH_PROFILE);
        TokenService tokens = new TokenService(entra, clock, random, config.memory().tokenCacheBytes(), config.memory().refusalsBytes(),
                tokenProfiles, new TokenService.Observer() {
            @Override
            public void cacheLookup(Profile profile, boolean hit) {
                events.cacheLookup(profile, hit);
            }

            @Override
            public void minted(Session session, Profile profile, AccessToken token, long nanos) {
                events.minted(session, profile, token, nanos);
                latestGroups.minted(session.id(), session.oid(), session.tid(), session.expiresAt(), token.idToken());
            }

            @Override
            public void failed(Session session, Profile profile, Throwable failure, long nanos) {
                events.failed(session, profile, failure, nanos);
            }

            @Override
            public void sharedFromAnotherReplica(Session session, Profile profile, AccessToken token) {
                latestGroups.minted(session.id(), session.oid(), session.tid(), session.expiresAt(), token.idToken());
            }

            @Override
            public void stepUpPending(Session session, StepUp stepUp) {
                // Written before the session is ended (one connection, in order), so the sign-in that follows the
                // 401 finds it at whichever replica it lands.
                sessions.rememberStepUp(session, stepUp).whenComplete((done, e) -> {
                    if (e != null) {
                        LOG.atWarn().addKeyValue("event", "session.step_up_not_shared").addKeyValue("sid_hash", LogIds.sidHash(session.id()))
                                .addKeyValue("reason", e.getMessage()).log();
                    }
                });
            }
        }, redis.map(r -> r.sharedTokens(TokenService.EXPIRY_MARGIN)).orElse(SharedTokens.NONE), session -> endSession(sessions, session));
        // Every replica drops its cached tokens of a session revoked anywhere (pub/sub: well under a second).
        redis.ifPresent(r -> r.sessions().onRevoked(tokens::forget));
        redis.ifPresent(r -> metrics.redis(failureCounts(r), r::reachable));
        GroupsHeader groupsHeader = new GroupsHeader(config.groupsHeaderLimit(), config.groups().headerMaxBytes(),
                config.profiles().values().stream().flatMap(p -> p.allow().groups().stream()).collect(Collectors.toSet()));
        SessionGroups sessionGroups = new SessionGroups(latestGroups, graphGroups, tokens, config.groups().graphScope(), groupsHeader);
        RedirectValidator redirects = new RedirectValidator(config.allowedRedirectDomains(), config.insecureLocalDevelopment());
        this.kube = KubernetesApi.create(vertx, config.cluster());
        AccessPolicy access = new AccessPolicy(kube, new HomeTenant(config.tenantId(), () -> oidc.cached().map(ProviderMetadata::issuer)),
                clock, config.cluster().decisionTtl(), graphGroups);
        UserRateLimit userRateLimit = new UserRateLimit(limiter("auth", config.authRateLimit(), UserRateLimit.UserProfile::subject,
                new TokenBucketLimiter<>(config.authRateLimit(), clock, 200_000)), events);
        BearerPassthrough bearer = new BearerPassthrough(new BearerTokenValidator(oidc, config.bearer(), clock), access,
                groupsHeader, userRateLimit);

        Map<String, Supplier<Optional<String>>> checks = new LinkedHashMap<>();
        if (config.credential() == CredentialKind.WORKLOAD_IDENTITY) {
            checks.put("federated_token", assertion::problem);
            metrics.federatedToken(assertion::lastRead);
        }
        checks.put("identity_provider", oidc::problem);
        redis.ifPresent(r -> checks.put("redis", r::problem));
        this.readiness = new Readiness(checks);
        metrics.readiness(readiness::ready);
        metrics.degraded(readiness.checkNames(), readiness::failing);
        metrics.tokenRequestsInFlight(tokens::requestsInFlight);
        metrics.tokenCache(tokens::cachedBytes, tokens::cachedTokens, tokens::evictions, config.memory().tokenCacheBytes());
        config.cookieKeysRotateBy().ifPresent(metrics::cookieKeyRotationDue);

        publicRouter = Router.router(vertx);
        timed(publicRouter, metrics.routeTimers("public", PUBLIC_ROUTES));
        publicRouter.get("/oauth2/start").handler(new StartHandler(entra, loginCookies, sessions, redirects, random, clock, events, proxies,
                limiter("sign_in", config.signInRateLimit(), ip -> ip, new TokenBucketLimiter<>(config.signInRateLimit(), clock, 100_000)),
                tokens));
        publicRouter.get("/oauth2/callback").handler(new CallbackHandler(vertx, config, entra, idTokens, loginCookies, sessions, redirects, random, clock, events));
        publicRouter.route("/oauth2/sign_out").method(HttpMethod.GET).method(HttpMethod.POST)
                .handler(new SignOutHandler(config, sessions, tokens, redirects, oidc::cached, events));
        publicRouter.get("/oauth2/userinfo").handler(new UserinfoHandler(sessions));
        publicRouter.get("/oauth2/whoami").handler(new WhoamiHandler(config, sessions, tokens, access, kube, sessionGroups));
        publicRouter.get("/oauth2/error").handler(new ErrorPageHandler(sessions, redirects, random));
        finish(publicRouter);

        internalRouter = Router.router(vertx);
        timed(internalRouter, metrics.routeTimers("internal", INTERNAL_ROUTES));
        AuthSubrequestHandler auth = new AuthSubrequestHandler(config, sessions, tokens, access, bearer,
                new BrowserSignIn(redirects, proxies), events, userRateLimit, sessionGroups);
        internalRouter.route("/oauth2/auth").handler(auth);
        // Envoy's ext_authz appends the original path to the configured one (Envoy Gateway SecurityPolicy extAuth).
        internalRouter.route("/oauth2/auth/*").handler(auth);
        internalRouter.get("/metrics").handler(ctx -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, PROMETHEUS_TEXT)
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store").end(metrics.scrape()));
        internalRouter.get("/healthz").handler(ctx -> Responses.json(ctx, 200, new JsonObject().put("status", "ok")));
        internalRouter.get("/readyz").handler(new ReadinessHandler(readiness));
        finish(internalRouter);
    }

    /** A limit shared by every replica through Redis in the redis store, else this replica's own. */
    private <K> RateLimiter<K> limiter(String name, RateLimit limit, Function<K, String> subject, TokenBucketLimiter<K> local) {
        return redis.<RateLimiter<K>>map(r -> r.rateLimiter(name, limit, subject, local)).orElse(local);
    }

    /** Ends a session Entra will mint nothing more for; a failure leaves it to its idle timeout (logged). */
    private static void endSession(SessionStore sessions, Session session) {
        sessions.end(session).whenComplete((done, e) -> {
            if (e != null) {
                LOG.atWarn().addKeyValue("event", "session.end_failed").addKeyValue("sid_hash", LogIds.sidHash(session.id()))
                        .addKeyValue("reason", e.getMessage()).log();
            }
        });
    }

    private static Map<String, Supplier<Long>> failureCounts(RedisBackend redis) {
        Map<String, Supplier<Long>> counts = new LinkedHashMap<>();
        for (RedisUnavailable.Reason reason : RedisUnavailable.Reason.values()) {
            counts.put(reason.label(), () -> redis.failures().count(reason));
        }
        return counts;
    }

    /** Builds the service and starts both listeners, with metrics of its own (no Vert.x metrics). */
    public static Future<AuthProxyServer> start(Vertx vertx, Config config, Clock clock, SecureRandom random, Optional<IHttpClient> httpClient) {
        return start(vertx, config, clock, random, httpClient, new ServiceMetrics(config.profiles().keySet()), true);
    }

    /** Builds the service and starts both listeners; {@code metrics} is the registry {@code vertx} reports to. */
    public static Future<AuthProxyServer> start(Vertx vertx, Config config, Clock clock, SecureRandom random, Optional<IHttpClient> httpClient,
                                                ServiceMetrics metrics) {
        return start(vertx, config, clock, random, httpClient, metrics, false);
    }

    /**
     * Builds the service with an identity provider whose discovery and keys {@code serve} began fetching as the process
     * started ({@link OidcProvider#prefetch()}), and starts both listeners.
     */
    public static Future<AuthProxyServer> start(Vertx vertx, Config config, Clock clock, SecureRandom random, ServiceMetrics metrics,
                                                OidcProvider prefetching) {
        return start(vertx, config, clock, random, Optional.empty(), metrics, false, Optional.of(prefetching));
    }

    private static Future<AuthProxyServer> start(Vertx vertx, Config config, Clock clock, SecureRandom random, Optional<IHttpClient> httpClient,
                                                 ServiceMetrics metrics, boolean ownMetrics) {
        return start(vertx, config, clock, random, httpClient, metrics, ownMetrics, Optional.empty());
    }

    private static Future<AuthProxyServer> start(Vertx vertx, Config config, Clock clock, SecureRandom random, Optional<IHttpClient> httpClient,
                                                 ServiceMetrics metrics, boolean ownMetrics, Optional<OidcProvider> prefetching) {
        AuthProxyServer server;
        try {
            server = new AuthProxyServer(vertx, config, clock, random, httpClient, metrics, ownMetrics, prefetching);
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(e);
        }
        return server.listen().map(server);
    }

    /**
     * Counts and times every request by route template; a path no route serves counts as "unmatched". A request URI
     * with a broken percent-escape gets 400 here, before a route or handler decodes it (see {@link PercentEncoding}).
     */
    private static void timed(Router router, ServiceMetrics.RouteTimers timers) {
        router.route().handler(ctx -> {
            long started = System.nanoTime();
            boolean broken = PercentEncoding.isBroken(ctx.request().uri());
            ctx.addEndHandler(done -> timers.record(broken ? ServiceMetrics.UNMATCHED_ROUTE : ctx.normalizedPath(), ctx.response().getStatusCode(),
                    System.nanoTime() - started));
            if (broken) {
                LOG.atInfo().addKeyValue("event", "http.bad_request")
                        .addKeyValue("reason", "the request URI has a '%' that is not followed by two hex digits").log();
                Responses.page(ctx, 400, "Bad request", "The request could not be understood.", List.of());
                return;
            }
            ctx.next();
        });
    }

    private Future<Void> listen() {
        HttpServerOptions options = new HttpServerOptions().setHost(config.listenAddress())
                // Chunked session cookies and large forwarded headers exceed Vert.x's 8 KB default.
                .setMaxHeaderSize(64 * 1024).setMaxInitialLineLength(16 * 1024)
                // Ingresses and browsers speak HTTP/1.1 here and nothing serves WebSockets: without these, every new
                // connection (one per auth request with ingress-nginx's default) got an h2c detector and upgrade
                // handler and a WebSocket extension handler that every request then passed through.
                .setHttp2ClearTextEnabled(false).setPerFrameWebSocketCompressionSupported(false)
                .setPerMessageWebSocketCompressionSupported(false);
        Future<HttpServer> pub = vertx.createHttpServer(new HttpServerOptions(options).setPort(config.publicPort())).requestHandler(publicRouter).listen();
        Future<HttpServer> internal = vertx.createHttpServer(new HttpServerOptions(options).setPort(config.internalPort())).requestHandler(internalRouter).listen();
        return Future.all(pub, internal).onSuccess(all -> {
            servers.add(pub.result());
            servers.add(internal.result());
            LOG.atInfo().addKeyValue("event", "started").addKeyValue("public_port", pub.result().actualPort())
                    .addKeyValue("internal_port", internal.result().actualPort()).addKeyValue("credential", config.credential().configName())
                    .log();
            // The readiness gauge follows the checks even when no kubelet asks /readyz (and between its probes); they run
            // on the service's own executor, not Vert.x's worker pool: a stop within the first second (SIGTERM right
            // after a start) would otherwise end the event loop a check reports back to, and Vert.x complains.
            readinessTimer = vertx.setPeriodic(READINESS_PERIOD.toMillis(), id -> checkReadiness());
            startupCheck.thenAccept(p -> {
                p.ifPresent(problem -> LOG.atWarn().addKeyValue("event", "oidc.unavailable").addKeyValue("reason", problem).log());
                checkReadiness();
                // Only once ready, off the path to it: an RBAC-gated profile reviews on the auth subrequest, so its first
                // user should not wait for fabric8 to be built; /oauth2/whoami alone builds it on first use.
                if (config.profiles().values().stream().anyMatch(profile -> profile.rbac().isPresent())) {
                    kube.ifPresent(KubernetesApi::prepare);
                }
            });
        }).mapEmpty();
    }

    private void checkReadiness() {
        try {
            entraExecutor.execute(readiness::check);
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            // close() has begun: nobody reads the gauge any more.
        }
    }

    /** Stops at once: requests in flight are cut off (tests, the demo). {@link #shutdown} is the graceful stop. */
    public Future<Void> close() {
        return stop(Duration.ZERO);
    }

    /**
     * The graceful stop, for SIGTERM: /readyz answers 503 at once while every request is still answered for
     * {@code delay}, so that Kubernetes takes the pod out of the Service and the ingress stops sending to it first
     * (endpoint removal reaches kube-proxy and ingress controllers only after the signal); then the listeners close and
     * the requests in flight get up to {@link #IN_FLIGHT_GRACE} to finish.
     */
    public Future<Void> shutdown(Duration delay) {
        readiness.stop();
        LOG.atInfo().addKeyValue("event", "shutdown.draining").addKeyValue("delay_ms", delay.toMillis()).log();
        io.vertx.core.Promise<Void> delayed = io.vertx.core.Promise.promise();
        if (delay.isZero()) {
            delayed.complete();
        } else {
            vertx.setTimer(delay.toMillis(), id -> delayed.complete());
        }
        return delayed.future().compose(x -> stop(IN_FLIGHT_GRACE));
    }

    private synchronized Future<Void> stop(Duration grace) {
        if (stopped != null) {
            return stopped;
        }
        startupCheck.cancel(false);
        vertx.cancelTimer(readinessTimer);
        List<Future<Void>> closing = servers.stream().map(server -> server.shutdown(grace.toMillis(), TimeUnit.MILLISECONDS)).toList();
        stopped = Future.join(new ArrayList<>(closing)).onComplete(x -> {
            entraExecutor.shutdownNow();
            kube.ifPresent(KubernetesApi::close);
            graph.ifPresent(MicrosoftGraph::close);
            redis.ifPresent(RedisBackend::close);
            if (ownMetrics) {
                metrics.close();
            }
        }).mapEmpty();
        return stopped;
    }

    private static void finish(Router router) {
        router.route().last().handler(ctx -> Responses.page(ctx, 404, "Not found", "There is nothing here.", List.of()));
        router.route().failureHandler(ctx -> {
            int status = ctx.statusCode() >= 400 && ctx.statusCode() < 500 ? ctx.statusCode() : 500;
            if (status == 500) {
                Throwable f = ctx.failure();
                LOG.atError().addKeyValue("event", "http.error").addKeyValue("path", AuthSubrequestHandler.printable(ctx.request().path()))
                        .addKeyValue("reason", f == null ? "unknown" : f.getClass().getName()).log();
            }
            if (!ctx.response().ended()) {
                Responses.page(ctx, status, status == 500 ? "Error" : "Bad request",
                        status == 500 ? "Something went wrong on our side." : "The request could not be understood.", List.of());
            }
        });
    }
}
