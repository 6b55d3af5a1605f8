package io.github.aksauthproxy.observe;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.github.aksauthproxy.entra.WorkloadIdentityAssertion;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The service's Prometheus metrics. Every label value comes from a fixed set: route templates (never raw
 * paths), configured profile names, outcome names, and AADSTS codes only when Entra itself reported them.
 * Meters on the per-request path are created ahead or cached in arrays, so recording allocates nothing.
 */
public final class ServiceMetrics implements AutoCloseable {
    /** The profile label of a request naming a profile that is not configured. */
    public static final String UNKNOWN_PROFILE = "_unknown";
    /** The route label of a request that matched no route. */
    public static final String UNMATCHED_ROUTE = "unmatched";
    private static final Pattern AADSTS = Pattern.compile("AADSTS\\d{4,8}");
    /** How long a refused user or address counts as "rate limited" in aks_auth_proxy_ratelimit_limited_clients. */
    static final Duration LIMITED_LATELY = Duration.ofMinutes(1);
    private static final Duration[] LATENCY_BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};

    /** What {@code /oauth2/auth} answered. */
    public enum AuthOutcome { ALLOWED, UNAUTHENTICATED, FORBIDDEN, RATE_LIMITED, ERROR }

    /** How a token request to Entra ended. */
    public enum TokenOutcome { SUCCESS, GRANT_REJECTED, REJECTED, UNAVAILABLE, ERROR }

    /** Why a session ended. */
    public enum SessionEnd { LOGOUT, EXPIRED, IDLE_EXPIRED, REVOKED }

    /** Which rate limit refused a request. */
    public enum Limit { AUTH, SIGN_IN }

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final Map<String, Counter[]> authDecisions = new HashMap<>();
    private final Map<String, Counter[]> cacheLookups = new HashMap<>();
    private final Map<String, Timer[]> tokenAcquisitions = new HashMap<>();
    private final Counter sessionsCreated;
    private final Map<SessionEnd, Counter> sessionsEnded = new EnumMap<>(SessionEnd.class);
    private final Map<Limit, Counter> rateLimited = new EnumMap<>(Limit.class);
    private final List<Object> keptAlive = new java.util.ArrayList<>();
    /** Who each limit refused lately (user object ids, client addresses): counted, never exported as labels. */
    private final Map<Limit, Cache<String, Boolean>> recentlyLimited = new EnumMap<>(Limit.class);

    /** @param profiles the configured profile names: the only profile label values besides {@link #UNKNOWN_PROFILE} */
    public ServiceMetrics(Collection<String> profiles) {
        this(profiles, Ticker.systemTicker());
    }

    /** @param ticker the time of the rate limits' "lately" (one minute) */
    ServiceMetrics(Collection<String> profiles, Ticker ticker) {
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        for (String profile : profiles) {
            authDecisions.put(profile, authCounters(profile));
            cacheLookups.put(profile, new Counter[] {
                    Counter.builder("aks_auth_proxy.token.cache.lookups").description("Token cache lookups by profile and result")
                            .tags("profile", profile, "result", "hit").register(registry),
                    Counter.builder("aks_auth_proxy.token.cache.lookups").description("Token cache lookups by profile and result")
                            .tags("profile", profile, "result", "miss").register(registry)});
            Timer[] timers = new Timer[TokenOutcome.values().length];
            for (TokenOutcome o : TokenOutcome.values()) {
                timers[o.ordinal()] = Timer.builder("aks_auth_proxy.token.acquisitions")
                        .description("Token requests to Entra by profile and outcome, with latency")
                        .tags("profile", profile, "outcome", label(o)).serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
            }
            tokenAcquisitions.put(profile, timers);
        }
        authDecisions.put(UNKNOWN_PROFILE, authCounters(UNKNOWN_PROFILE));
        Gauge.builder("aks_auth_proxy.token.cache.hit.ratio", this, ServiceMetrics::hitRatio)
                .description("Share of token lookups answered from the cache since start (NaN before the first)").register(registry);
        sessionsCreated = Counter.builder("aks_auth_proxy.session.starts").description("Sessions started by a completed sign-in")
                .register(registry);
        for (SessionEnd e : SessionEnd.values()) {
            sessionsEnded.put(e, Counter.builder("aks_auth_proxy.session.ends").description("Sessions ended, by reason")
                    .tag("reason", label(e)).register(registry));
        }
        for (Limit l : Limit.values()) {
            rateLimited.put(l, Counter.builder("aks_auth_proxy.ratelimit.exceeded").description("Requests refused with 429, by limit")
                    .tag("limit", label(l)).register(registry));
            Cache<String, Boolean> lately = Caffeine.newBuilder().expireAfterWrite(LIMITED_LATELY).maximumSize(100_000).ticker(ticker).build();
            recentlyLimited.put(l, lately);
            Gauge.builder("aks_auth_proxy.ratelimit.limited.clients", lately, c -> {
                        c.cleanUp();
                        return c.estimatedSize();
                    })
                    .description("Distinct users (auth) or client addresses (sign_in) refused with 429 in the last minute")
                    .tag("limit", label(l)).register(registry);
        }
    }

    // Micrometer holds a gauge's state object weakly: the suppliers below are lambdas nobody else keeps, so each
    // gauge holds them strongly, or they would read NaN after the next garbage collection.

    /** 1 while {@code /readyz} would answer 200 (the caller checks on a schedule), else 0. */
    public void readiness(BooleanSupplier ready) {
        Gauge.builder("aks_auth_proxy.ready", ready, r -> r.getAsBoolean() ? 1 : 0)
                .description("1 while /readyz would answer 200: from the first time its checks all passed until SIGTERM, else 0")
                .strongReference(true).register(registry);
    }

    /**
     * One series per readiness check: 1 while the latest check of that dependency failed. A replica that was ready
     * once stays ready through such a failure (it serves degraded), so alerts watch these, not the ready gauge.
     *
     * @param checks  the checks' fixed names (the {@code check} label)
     * @param failing whether the named check failed when last run
     */
    public void degraded(List<String> checks, Predicate<String> failing) {
        for (String check : checks) {
            Gauge.builder("aks_auth_proxy.degraded", () -> failing.test(check) ? 1 : 0)
                    .description("1 while the latest readiness check of this dependency failed, else 0").tag("check", check)
                    .strongReference(true).register(registry);
        }
    }

    /**
     * The federated token file as its latest read found it (the service reads it for every request to Entra and
     * on every readiness check; the scrape never reads it): the token's {@code exp}, and whether it held a JWT. Both
     * are NaN until the first read; the expiry is NaN while the file is unreadable.
     */
    public void federatedToken(Supplier<WorkloadIdentityAssertion.LastRead> lastRead) {
        Gauge.builder("aks_auth_proxy.federated.token.expiry.timestamp.seconds", lastRead,
                        r -> r.get().expiry().map(e -> (double) e.getEpochSecond()).orElse(Double.NaN))
                .description("exp (Unix seconds) of the token in AZURE_FEDERATED_TOKEN_FILE when last read").strongReference(true).register(registry);
        Gauge.builder("aks_auth_proxy.federated.token.readable", lastRead,
                        r -> !r.get().happened() ? Double.NaN : r.get().readable() ? 1 : 0)
                .description("1 when the last read of AZURE_FEDERATED_TOKEN_FILE found a JWT, else 0").strongReference(true).register(registry);
    }

    /** The date by which the first cookie key is to be replaced (AKS_AUTH_PROXY_COOKIE_SECRETS_ROTATE_BY). */
    public void cookieKeyRotationDue(Instant due) {
        Gauge.builder("aks_auth_proxy.cookie.key.rotation.due.timestamp.seconds", due, d -> d.getEpochSecond())
                .description("When (Unix seconds) the first cookie key is to be replaced, as configured").strongReference(true).register(registry);
    }

    /** Token requests to Entra started and not yet answered. */
    public void tokenRequestsInFlight(IntSupplier inFlight) {
        Gauge.builder("aks_auth_proxy.token.requests.in.flight", inFlight, IntSupplier::getAsInt)
                .description("Token requests to Entra waiting for an answer").strongReference(true).register(registry);
    }

    /**
     * The token cache's size and evictions (its hits and misses are {@code aks_auth_proxy_token_cache_lookups_total}).
     *
     * @param bytes what the cached tokens retain, as weighed
     * @param evictions tokens dropped to keep within the bound, since start
     * @param maxBytes the bound ({@code AKS_AUTH_PROXY_TOKEN_CACHE_MAX_BYTES})
     */
    public void tokenCache(LongSupplier bytes, IntSupplier entries, LongSupplier evictions, long maxBytes) {
        Gauge.builder("aks_auth_proxy.token.cache.bytes", bytes, LongSupplier::getAsLong).baseUnit("bytes")
                .description("Bytes the cached tokens retain (token text, key, expiry and per-entry overhead)").strongReference(true)
                .register(registry);
        Gauge.builder("aks_auth_proxy.token.cache.max.bytes", () -> maxBytes).baseUnit("bytes")
                .description("The token cache's bound (AKS_AUTH_PROXY_TOKEN_CACHE_MAX_BYTES)").strongReference(true).register(registry);
        Gauge.builder("aks_auth_proxy.token.cache.entries", entries, IntSupplier::getAsInt)
                .description("Tokens in the cache").strongReference(true).register(registry);
        keptAlive.add(evictions);   // Micrometer holds a function counter's object weakly
        FunctionCounter.builder("aks_auth_proxy.token.cache.evictions", evictions, LongSupplier::getAsLong)
                .description("Tokens dropped from the cache to stay within its bound, least recently used first").register(registry);
    }

    private Counter[] authCounters(String profile) {
        Counter[] counters = new Counter[AuthOutcome.values().length];
        for (AuthOutcome o : AuthOutcome.values()) {
            counters[o.ordinal()] = Counter.builder("aks_auth_proxy.auth.decisions").description("/oauth2/auth answers by outcome and profile")
                    .tags("outcome", label(o), "profile", profile).register(registry);
        }
        return counters;
    }

    /**
     * A Vert.x instance that reports its own metrics (HTTP clients, pools) into this registry. Vert.x's labels are
     * bounded by default (no paths); the JVM metrics are bound here already, not by Vert.x a second time. Its HTTP
     * server metrics are off: they looked their meters up in the registry on every request, about as much CPU as
     * the whole {@code /oauth2/auth} handler (bench/ANALYSIS.md), and {@link RouteTimers} already count and time
     * every request by listener, route and status.
     */
    public Vertx newVertx() {
        return Vertx.builder()
                .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(false)
                        .addDisabledMetricsCategory(MetricsDomain.HTTP_SERVER)))
                .withMetrics(new MicrometerMetricsFactory(registry))
                .build();
    }

    /** The Prometheus text exposition of every metric. */
    public String scrape() {
        return registry.scrape();
    }

    public void authDecision(AuthOutcome outcome, String profile) {
        Counter[] c = authDecisions.get(profile);
        (c == null ? authDecisions.get(UNKNOWN_PROFILE) : c)[outcome.ordinal()].increment();
    }

    public void tokenCacheLookup(String profile, boolean hit) {
        Counter[] c = cacheLookups.get(profile);
        if (c != null) {
            c[hit ? 0 : 1].increment();
        }
    }

    public void tokenAcquired(String profile, TokenOutcome outcome, long nanos) {
        Timer[] t = tokenAcquisitions.get(profile);
        if (t != null) {
            t[outcome.ordinal()].record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * An error answer from Entra. {@code aadsts} is used as a label only when Entra's token endpoint reported it;
     * a code read from a browser's callback URL could be anything, so callers pass {@code trusted=false} there and
     * only codes this service knows are kept. {@code error} becomes a label only when it is one of the OAuth codes
     * of {@link IdpErrorCode}: an authorization response's on the callback ({@code operation} {@code authorize}),
     * a token response's otherwise.
     */
    public void idpError(String operation, String error, Optional<String> aadsts, boolean trusted) {
        String code = aadsts.filter(c -> AADSTS.matcher(c).matches())
                .filter(c -> trusted || io.github.aksauthproxy.entra.AadstsExplanations.isKnown(c)).orElse("none");
        String err = "authorize".equals(operation) ? IdpErrorCode.ofAuthorizeResponse(error) : IdpErrorCode.ofTokenResponse(error);
        Counter.builder("aks_auth_proxy.idp.errors").description("Errors from Entra, by operation, OAuth error and AADSTS code")
                .tags("operation", operation, "error", err, "aadsts", code).register(registry).increment();
    }

    public void sessionCreated() {
        sessionsCreated.increment();
    }

    public void sessionEnded(SessionEnd why) {
        sessionsEnded.get(why).increment();
    }

    /** @param who the refused user's object id (auth) or client address (sign_in): counted once per minute, never a label */
    public void rateLimited(Limit limit, String who) {
        rateLimited.get(limit).increment();
        recentlyLimited.get(limit).put(who, Boolean.TRUE);
    }

    /**
     * The Redis client's health: failed commands by reason (a fixed set, counted by the client) and whether Redis
     * answered the last command.
     *
     * @param failures the count of failed commands for each reason label
     */
    public void redis(Map<String, Supplier<Long>> failures, BooleanSupplier reachable) {
        keptAlive.add(failures);   // Micrometer holds a function counter's object weakly
        failures.forEach((reason, count) -> FunctionCounter.builder("aks_auth_proxy.redis.failures", count, c -> c.get())
                .description("Redis commands that failed, by reason").tag("reason", reason).register(registry));
        Gauge.builder("aks_auth_proxy.redis.reachable", reachable, r -> r.getAsBoolean() ? 1 : 0)
                .description("1 when Redis answered the last command, 0 when it could not be reached or used").strongReference(true)
                .register(registry);
    }

    /** Request counts and latency for one listener's routes; {@code routes} are the templates it serves. */
    public RouteTimers routeTimers(String listener, List<String> routes) {
        return new RouteTimers(listener, routes);
    }

    private double hitRatio() {
        double hits = 0;
        double all = 0;
        for (Counter[] c : cacheLookups.values()) {
            hits += c[0].count();
            all += c[0].count() + c[1].count();
        }
        return all == 0 ? Double.NaN : hits / all;
    }

    private static String label(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }

    /** Timers per route and status, created on first use and then found by array index. */
    public final class RouteTimers {
        private final String listener;
        private final Map<String, AtomicReferenceArray<Timer>> byRoute = new HashMap<>();

        private RouteTimers(String listener, List<String> routes) {
            this.listener = listener;
            for (String r : routes) {
                byRoute.put(r, new AtomicReferenceArray<>(600));
            }
            byRoute.put(UNMATCHED_ROUTE, new AtomicReferenceArray<>(600));
        }

        /** Records one answered request; a path that is not one of the routes counts as {@link #UNMATCHED_ROUTE}. */
        public void record(String path, int status, long nanos) {
            String route = byRoute.containsKey(path) ? path : UNMATCHED_ROUTE;
            AtomicReferenceArray<Timer> timers = byRoute.get(route);
            int s = status >= 100 && status < 600 ? status : 599;
            Timer t = timers.get(s);
            if (t == null) {
                t = Timer.builder("aks_auth_proxy.http.requests").description("HTTP requests by listener, route template and status")
                        .tags("listener", listener, "route", route, "status", Integer.toString(s))
                        .serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
                timers.set(s, t);
            }
            t.record(nanos, TimeUnit.NANOSECONDS);
        }
    }
}
