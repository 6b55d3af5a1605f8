package io.github.aksauthproxy.it;

import static io.github.aksauthproxy.it.PrometheusText.series;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * /metrics, the audit trail and the rate limits, seen from outside: a browser signing in through the service,
 * the ingress's auth subrequests, and Prometheus scraping the internal listener. Each test has a fresh service,
 * so counters start at zero.
 */
class ObservabilityTest {
    static final String CLIENT_IP = "203.0.113.7";
    static final String USER_AGENT = "Mozilla/5.0 (test browser)";
    static EntraStandIn idp;
    @TempDir
    static Path dir;
    ServiceUnderTest service;

    @BeforeAll
    static void startIdp() throws Exception {
        idp = new EntraStandIn();
    }

    @AfterAll
    static void stopIdp() throws Exception {
        idp.close();
    }

    @AfterEach
    void stop() throws Exception {
        if (service != null) {
            service.close();
        }
    }

    private void start(Map<String, String> overrides) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("AKS_AUTH_PROXY_TRUSTED_PROXIES", "127.0.0.1/32"));
        env.putAll(overrides);
        service = ServiceUnderTest.start(idp, dir, new MutableClock(Instant.now()), env);
    }

    /** A browser behind an ingress on loopback (a trusted proxy here) that sets X-Real-IP and X-Request-ID. */
    private TestBrowser browser(String requestId) {
        TestBrowser b = new TestBrowser(idp.trust());
        b.headers.put("X-Real-IP", CLIENT_IP);
        b.headers.put("User-Agent", USER_AGENT);
        b.headers.put("X-Request-ID", requestId);
        return b;
    }

    private TestBrowser signIn(TestBrowser b) {
        String back = b.followUntil(service.start("/app"), service.publicUrl + "/app");
        assertThat(back).isEqualTo(service.publicUrl + "/app");
        assertThat(b.cookies).containsKey(SignInFlowTest.SESSION);
        return b;
    }

    private Map<String, Double> metrics() {
        HttpResponse<String> r = new TestBrowser(idp.trust()).get(service.internalUrl + "/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        return PrometheusText.parse(r.body());
    }

    @Test
    void metricsAfterASignInCountExactlyTheRequestsMade() throws Exception {
        start(Map.of());
        TestBrowser b = signIn(browser("req-1"));
        assertThat(b.get(service.auth()).statusCode()).isEqualTo(200);
        assertThat(b.get(service.auth()).statusCode()).isEqualTo(200);
        assertThat(b.get(service.auth() + "?profile=nope").statusCode()).isEqualTo(400);
        assertThat(new TestBrowser(idp.trust()).get(service.auth()).statusCode()).isEqualTo(401);
        assertThat(b.get(service.publicUrl + "/oauth2/callback?error=access_denied&error_description=AADSTS65001%3A+no+consent&state=x")
                .statusCode()).isEqualTo(403);
        assertThat(b.get(service.publicUrl + "/oauth2/sign_out").statusCode()).isEqualTo(200);
        assertThat(b.get(service.publicUrl + "/some/raw/path/4711").statusCode()).isEqualTo(404);

        Map<String, Double> m = metrics();
        String requests = "aks_auth_proxy_http_requests_seconds_count";
        assertThat(m).containsEntry(series(requests, "listener", "public", "route", "/oauth2/start", "status", "302"), 1.0)
                .containsEntry(series(requests, "listener", "public", "route", "/oauth2/callback", "status", "302"), 1.0)
                .containsEntry(series(requests, "listener", "public", "route", "/oauth2/callback", "status", "403"), 1.0)
                .containsEntry(series(requests, "listener", "public", "route", "/oauth2/sign_out", "status", "200"), 1.0)
                .containsEntry(series(requests, "listener", "public", "route", "unmatched", "status", "404"), 1.0)
                .containsEntry(series(requests, "listener", "internal", "route", "/oauth2/auth", "status", "200"), 2.0)
                .containsEntry(series(requests, "listener", "internal", "route", "/oauth2/auth", "status", "400"), 1.0)
                .containsEntry(series(requests, "listener", "internal", "route", "/oauth2/auth", "status", "401"), 1.0)
                .containsEntry(series("aks_auth_proxy_http_requests_seconds_bucket", "listener", "internal", "route", "/oauth2/auth",
                        "status", "200", "le", "+Inf"), 2.0)
                .containsKey(series("aks_auth_proxy_http_requests_seconds_bucket", "listener", "internal", "route", "/oauth2/auth",
                        "status", "200", "le", "0.025"));
        assertThat(m.keySet()).noneMatch(k -> k.contains("/some/raw/path") || k.contains("nope"));

        String decisions = "aks_auth_proxy_auth_decisions_total";
        assertThat(m).containsEntry(series(decisions, "outcome", "allowed", "profile", "aks"), 2.0)
                .containsEntry(series(decisions, "outcome", "unauthenticated", "profile", "aks"), 1.0)
                .containsEntry(series(decisions, "outcome", "error", "profile", "_unknown"), 1.0)
                .containsEntry(series(decisions, "outcome", "forbidden", "profile", "aks"), 0.0)
                .containsEntry(series(decisions, "outcome", "rate_limited", "profile", "aks"), 0.0)
                .containsEntry(series("aks_auth_proxy_token_acquisitions_seconds_count", "outcome", "success", "profile", "aks"), 1.0)
                .containsEntry(series("aks_auth_proxy_token_acquisitions_seconds_count", "outcome", "unavailable", "profile", "aks"), 0.0)
                .containsEntry(series("aks_auth_proxy_token_cache_lookups_total", "profile", "aks", "result", "hit"), 1.0)
                .containsEntry(series("aks_auth_proxy_token_cache_lookups_total", "profile", "aks", "result", "miss"), 1.0)
                .containsEntry(series("aks_auth_proxy_token_cache_hit_ratio"), 0.5)
                .containsEntry(series("aks_auth_proxy_idp_errors_total", "operation", "authorize", "error", "access_denied",
                        "aadsts", "AADSTS65001"), 1.0)
                .containsEntry(series("aks_auth_proxy_session_starts_total"), 1.0)
                .containsEntry(series("aks_auth_proxy_session_ends_total", "reason", "logout"), 1.0)
                .containsEntry(series("aks_auth_proxy_session_ends_total", "reason", "expired"), 0.0);
        // JVM (Micrometer binders) and Vert.x's own pool metrics are in the same exposition. Vert.x's per-request HTTP
        // server metrics are not: the aks_auth_proxy_http_requests series above count every request, for less CPU.
        assertThat(m.keySet()).anyMatch(k -> k.startsWith("jvm_memory_used_bytes{"))
                .anyMatch(k -> k.startsWith("jvm_gc_"))
                .anyMatch(k -> k.startsWith("process_uptime_seconds{"))
                .anyMatch(k -> k.startsWith("vertx_pool_in_use{"))
                .noneMatch(k -> k.startsWith("vertx_http_server_"));
    }

    /**
     * Anyone can put any {@code error} on the callback URL: a thousand made-up words must not make a thousand
     * series. Only RFC 6749 4.1.2.1's and OpenID Connect's codes keep their name; everything else is {@code other}.
     */
    @Test
    void madeUpCallbackErrorsAllCountAsOtherAndAddNoSeries() throws Exception {
        start(Map.of());
        java.util.Random random = new java.util.Random(16);
        TestBrowser stranger = new TestBrowser(idp.trust());
        for (int i = 0; i < 1000; i++) {
            StringBuilder word = new StringBuilder();
            for (int n = 4 + random.nextInt(30); n > 0; n--) {
                word.append("abcdefghijklmnopqrstuvwxyz_".charAt(random.nextInt(27)));
            }
            assertThat(stranger.get(service.publicUrl + "/oauth2/callback?state=x&error=" + word).statusCode()).isEqualTo(400);
        }
        assertThat(stranger.get(service.publicUrl + "/oauth2/callback?state=x&error=login_required").statusCode()).isEqualTo(400);
        assertThat(stranger.get(service.publicUrl + "/oauth2/callback?state=x&error=LOGIN_REQUIRED").statusCode()).isEqualTo(400);

        Map<String, Double> idpErrors = new java.util.TreeMap<>(metrics());
        idpErrors.keySet().removeIf(k -> !k.startsWith("aks_auth_proxy_idp_errors_total{"));
        assertThat(idpErrors.size()).as("series of aks_auth_proxy_idp_errors_total").isEqualTo(2);
        assertThat(idpErrors).containsExactly(
                Map.entry(series("aks_auth_proxy_idp_errors_total", "operation", "authorize", "error", "login_required", "aadsts", "none"), 1.0),
                Map.entry(series("aks_auth_proxy_idp_errors_total", "operation", "authorize", "error", "other", "aadsts", "none"), 1001.0));
    }

    @Test
    void metricsAreNotServedOnThePublicListener() throws Exception {
        start(Map.of());
        HttpResponse<String> r = new TestBrowser(idp.trust()).get(service.publicUrl + "/metrics");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).doesNotContain("aks_auth_proxy_");
    }

    /**
     * Sign-in, an allowed request (its token is minted then), two denials (the auth rate limit's 429 and a
     * rejected, replayed callback) and sign-out, in this order, each with exactly the README's fields.
     */
    @Test
    void auditTrailRecordsSignInAllowedRequestDenialsAndSignOutWithTheDocumentedFields() throws Exception {
        start(Map.of("AKS_AUTH_PROXY_AUTH_RATE_BURST", "1"));
        try (AuditCapture audit = new AuditCapture()) {
            TestBrowser b = browser("req-42");
            String callback = b.followUntil(service.start("/app"), service.publicUrl + "/oauth2/callback");
            assertThat(b.get(callback).statusCode()).isEqualTo(302);
            assertThat(b.get(service.auth()).statusCode()).isEqualTo(200);
            HttpResponse<String> limited = b.get(service.auth());
            assertThat(limited.statusCode()).isEqualTo(429);
            assertThat(b.get(callback).statusCode()).isEqualTo(403);
            assertThat(b.get(service.publicUrl + "/oauth2/sign_out").statusCode()).isEqualTo(200);

            List<JsonObject> lines = audit.lines();
            assertThat(lines).extracting(l -> l.getString("event"))
                    .containsExactly("login.success", "token.minted", "ratelimit.exceeded", "login.failure", "logout");
            List<String> who = List.of("user", "tenant", "sid_hash");
            List<String> request = List.of("client_ip", "user_agent", "request_id");
            assertThat(lines.get(0).fieldNames()).containsExactlyElementsOf(fields(who, List.of(), request));
            assertThat(lines.get(1).fieldNames()).containsExactlyElementsOf(fields(who, List.of("profile", "exp"), List.of()));
            assertThat(lines.get(2).fieldNames()).containsExactlyElementsOf(fields(who, List.of("limit", "profile", "retry_after_s"), request));
            assertThat(lines.get(3).fieldNames()).containsExactlyElementsOf(fields(List.of(), List.of("reason"), request));
            assertThat(lines.get(4).fieldNames()).containsExactlyElementsOf(fields(who, List.of(), request));

            String sidHash = lines.get(0).getString("sid_hash");
            assertThat(sidHash).matches("[0-9a-f]{16}");
            for (JsonObject l : lines) {
                assertThat(l.getString("logger")).isEqualTo("audit");
                assertThat(l.getString("level")).isEqualTo("INFO");
                if (l.containsKey("user")) {
                    assertThat(l.getString("user")).isEqualTo("alice@contoso.example");
                    assertThat(l.getString("tenant")).isEqualTo(EntraStandIn.TENANT);
                    assertThat(l.getString("sid_hash")).isEqualTo(sidHash);
                }
                if (l.containsKey("client_ip")) {
                    assertThat(l.getString("client_ip")).isEqualTo(CLIENT_IP);
                    assertThat(l.getString("user_agent")).isEqualTo(USER_AGENT);
                    assertThat(l.getString("request_id")).isEqualTo("req-42");
                }
            }
            assertThat(lines.get(1).getString("profile")).isEqualTo("aks");
            assertThat(Instant.parse(lines.get(1).getString("exp"))).isAfter(Instant.now());
            assertThat(lines.get(2).getString("limit")).isEqualTo("auth");
            assertThat(lines.get(2).getLong("retry_after_s")).isEqualTo(1L);
            assertThat(lines.get(3).getString("reason")).contains("no sign-in cookie for this state");
            String code = callback.replaceAll(".*[?&]code=([^&]+).*", "$1");
            assertThat(lines).allSatisfy(l -> assertThat(l.encode()).doesNotContain(code));
            assertThat(b.cookies).doesNotContainKey(SignInFlowTest.SESSION);
        }
    }

    /**
     * A client writes its own User-Agent, and an ingress passes its X-Request-ID on: 5,000 characters with quotes, a
     * tab and a non-ASCII character are cut to the README's bound (256 and 128) and every character outside printable
     * ASCII becomes {@code ?}, so one request cannot flood or forge the audit trail. Sent over a raw socket, as an
     * HTTP client refuses such values; other control characters never get this far (the listener answers 400).
     */
    @Test
    void auditValuesFromTheRequestAreCutToTheirBoundAndCleaned() throws Exception {
        start(Map.of());
        try (AuditCapture audit = new AuditCapture()) {
            assertThat(callbackWithHeader("User-Agent", "Mozilla/5.0 \"quoted\" \t\u00e7" + "x".repeat(5000)))
                    .isEqualTo("HTTP/1.1 403 Forbidden");
            assertThat(callbackWithHeader("X-Request-ID", "req-\"1\"\t\u00e9" + "y".repeat(5000))).isEqualTo("HTTP/1.1 403 Forbidden");

            assertThat(audit.lines()).extracting(l -> l.getString("event")).containsExactly("login.failure", "login.failure");
            assertThat(audit.lines().get(0).getString("user_agent")).isEqualTo("Mozilla/5.0 \"quoted\" ??" + "x".repeat(233));
            assertThat(audit.lines().get(1).getString("request_id")).isEqualTo("req-\"1\"??" + "y".repeat(119));
        }
    }

    /** A callback without its sign-in cookie (a 403 and a {@code login.failure} audit line) carrying one extra header. */
    private String callbackWithHeader(String name, String value) throws Exception {
        return RawHttp.statusLine(service.config.publicPort(), "GET /oauth2/callback?state=" + "C".repeat(43) + " HTTP/1.1",
                "Host: 127.0.0.1", name + ": " + value, "Connection: close");
    }

    @Test
    void anExpiredSessionIsAuditedWithItsUserOnce() throws Exception {
        start(Map.of());
        TestBrowser b = signIn(browser("req-7"));
        try (AuditCapture audit = new AuditCapture()) {
            service.clock.advance(Duration.ofHours(2));
            assertThat(b.get(service.auth()).statusCode()).isEqualTo(401);
            assertThat(audit.lines()).hasSize(1);
            JsonObject l = audit.lines().get(0);
            assertThat(l.getString("event")).isEqualTo("session.expired");
            assertThat(l.getString("user")).isEqualTo("alice@contoso.example");
            assertThat(l.getString("reason")).isEqualTo("idle_timeout");
        }
        assertThat(metrics()).containsEntry(series("aks_auth_proxy_session_ends_total", "reason", "idle_expired"), 1.0);
    }

    @Test
    void theRequestAfterTheBurstGets429WithRetryAfterAndAccessReturnsAfterRefill() throws Exception {
        start(Map.of("AKS_AUTH_PROXY_AUTH_RATE_BURST", "3", "AKS_AUTH_PROXY_AUTH_RATE_PER_SECOND", "2"));
        TestBrowser b = signIn(browser("req-9"));
        for (int i = 0; i < 3; i++) {
            assertThat(b.get(service.auth()).statusCode()).isEqualTo(200);
        }
        HttpResponse<String> limited = b.get(service.auth());
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(limited.headers().firstValue("Authorization")).isEmpty();
        assertThat(limited.body()).isEqualTo("too many requests");
        service.clock.advance(Duration.ofMillis(499));
        assertThat(b.get(service.auth()).statusCode()).isEqualTo(429);
        service.clock.advance(Duration.ofMillis(1));
        assertThat(b.get(service.auth()).statusCode()).isEqualTo(200);
        assertThat(b.get(service.auth()).statusCode()).isEqualTo(429);
        service.clock.advance(Duration.ofSeconds(10));
        for (int i = 0; i < 3; i++) {
            assertThat(b.get(service.auth()).statusCode()).isEqualTo(200);
        }
        Map<String, Double> m = metrics();
        assertThat(m).containsEntry(series("aks_auth_proxy_auth_decisions_total", "outcome", "rate_limited", "profile", "aks"), 3.0)
                .containsEntry(series("aks_auth_proxy_ratelimit_exceeded_total", "limit", "auth"), 3.0)
                .containsEntry(series("aks_auth_proxy_ratelimit_limited_clients", "limit", "auth"), 1.0)
                .containsEntry(series("aks_auth_proxy_auth_decisions_total", "outcome", "allowed", "profile", "aks"), 7.0);
    }

    @Test
    void operationsGaugesFollowTheFederatedTokenFileReadinessFailingChecksAndTokenRequestsInFlight() throws Exception {
        start(Map.of("AKS_AUTH_PROXY_COOKIE_SECRETS_ROTATE_BY", "2026-09-30"));
        TestBrowser b = signIn(browser("req-ops"));
        assertThat(b.get(service.internalUrl + "/readyz").statusCode()).isEqualTo(200);
        long exp = com.nimbusds.jwt.JWTParser.parse(java.nio.file.Files.readString(service.tokenFile)).getJWTClaimsSet()
                .getExpirationTime().toInstant().getEpochSecond();
        assertThat(metrics()).containsEntry(series("aks_auth_proxy_federated_token_expiry_timestamp_seconds"), (double) exp)
                .containsEntry(series("aks_auth_proxy_federated_token_readable"), 1.0)
                .containsEntry(series("aks_auth_proxy_ready"), 1.0)
                .containsEntry(series("aks_auth_proxy_degraded", "check", "federated_token"), 0.0)
                .containsEntry(series("aks_auth_proxy_degraded", "check", "identity_provider"), 0.0)
                .containsEntry(series("aks_auth_proxy_token_requests_in_flight"), 0.0)
                .containsEntry(series("aks_auth_proxy_cookie_key_rotation_due_timestamp_seconds"), 1.7907264E9);

        java.util.concurrent.CountDownLatch entraAnswers = idp.holdTokenRequests();
        java.util.concurrent.CompletableFuture<HttpResponse<String>> waiting;
        try {
            waiting = java.util.concurrent.CompletableFuture.supplyAsync(() -> b.get(service.auth()));
            assertThat(awaitGauge("aks_auth_proxy_token_requests_in_flight", 1.0, Duration.ofSeconds(10))).isEqualTo(1.0);
        } finally {
            entraAnswers.countDown();
        }
        assertThat(waiting.get(20, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(metrics()).containsEntry(series("aks_auth_proxy_token_requests_in_flight"), 0.0);

        // Once ready, a replica stays ready while a dependency fails (it/ReadinessTest); the degraded gauge says so.
        java.nio.file.Files.writeString(service.tokenFile, "not a token");
        assertThat(b.get(service.internalUrl + "/readyz").statusCode()).isEqualTo(200);
        Map<String, Double> m = metrics();
        assertThat(m).containsEntry(series("aks_auth_proxy_federated_token_readable"), 0.0)
                .containsEntry(series("aks_auth_proxy_ready"), 1.0)
                .containsEntry(series("aks_auth_proxy_degraded", "check", "federated_token"), 1.0)
                .containsEntry(series("aks_auth_proxy_degraded", "check", "identity_provider"), 0.0);
        assertThat(m.get(series("aks_auth_proxy_federated_token_expiry_timestamp_seconds"))).isNaN();
    }

    /**
     * The README's Metrics table is the list operators build dashboards and alerts from: every aks_auth_proxy_ series
     * the service exports (with every optional one switched on) has its row, and every row is a series it exports.
     */
    @Test
    void readmeMetricsTableListsExactlyTheSeriesTheServiceExports() throws Exception {
        start(Map.of("AKS_AUTH_PROXY_COOKIE_SECRETS_ROTATE_BY", "2026-09-30"));
        TestBrowser b = signIn(browser("req-table"));
        assertThat(b.get(service.auth()).statusCode()).isEqualTo(200);
        assertThat(b.get(service.publicUrl + "/oauth2/callback?error=access_denied&state=x").statusCode()).isEqualTo(403);
        java.util.Set<String> exported = new java.util.TreeSet<>();
        for (String key : metrics().keySet()) {
            String name = key.substring(0, key.indexOf('{'));
            if (name.startsWith("aks_auth_proxy_")) {
                exported.add(name);
            }
        }
        java.util.Set<String> documented = new java.util.TreeSet<>();
        java.util.Set<String> redisOnly = new java.util.TreeSet<>();
        java.util.regex.Matcher row = java.util.regex.Pattern.compile("(?m)^\\| `(aks_auth_proxy_[a-z_]+)`( \\(histogram: ([^)]*)\\))? \\|(.*)$")
                .matcher(java.nio.file.Files.readString(java.nio.file.Path.of("README.md")));
        while (row.find()) {
            if (row.group(4).contains("(redis store only)")) {
                // This service keeps sessions in cookies; RedisSessionStoreTest reads these from a replica on Redis.
                redisOnly.add(row.group(1));
            } else if (row.group(3) == null) {
                documented.add(row.group(1));
            } else {
                for (String suffix : row.group(3).split(", ")) {
                    documented.add(row.group(1) + suffix.replace("`", ""));
                }
            }
        }
        assertThat(documented).isEqualTo(exported);
        assertThat(redisOnly).containsExactly("aks_auth_proxy_redis_failures_total", "aks_auth_proxy_redis_reachable");
    }

    /** The gauge's value once it has it, or its last value when {@code timeout} is over. */
    private double awaitGauge(String name, double wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Double seen = metrics().get(series(name));
        while (seen != null && seen != wanted && System.nanoTime() < deadline) {
            Thread.sleep(20);
            seen = metrics().get(series(name));
        }
        return seen == null ? Double.NaN : seen;
    }

    /** An AKS token from the stand-in for a kubelogin caller with this object id, as kubectl would present it. */
    private static String bearerToken(String oid, String upn) {
        return SecretsSeen.recorded(idp.server.issueToken(EntraStandIn.TENANT + "/oauth2/v2.0", "kubelogin", "6dae42f8-4368-4678-94ff-3960e28e3630",
                Map.of("tid", EntraStandIn.TENANT, "oid", oid, "upn", upn), 3600).serialize());
    }

    @Test
    void bearerCallersAreLimitedByObjectIdAndProfileCountedAndAuditedLikeSessions() throws Exception {
        start(Map.of("AKS_AUTH_PROXY_AUTH_RATE_BURST", "2", "AKS_AUTH_PROXY_AUTH_RATE_PER_SECOND", "1"));
        Map<String, String> bob = Map.of("Authorization", "Bearer " + bearerToken("99999999-2222-3333-4444-555555555555", "bob@contoso.example"));
        Map<String, String> carol = Map.of("Authorization", "Bearer " + bearerToken("88888888-2222-3333-4444-555555555555", "carol@contoso.example"));
        Map<String, String> aliceOwn = Map.of("Authorization", "Bearer " + bearerToken(EntraStandIn.ALICE.oid(), "alice@contoso.example"));
        TestBrowser kubectl = browser("req-b");
        try (AuditCapture audit = new AuditCapture()) {
            assertThat(kubectl.get(service.auth(), bob).statusCode()).isEqualTo(200);
            assertThat(kubectl.get(service.auth(), bob).statusCode()).isEqualTo(200);
            HttpResponse<String> limited = kubectl.get(service.auth(), bob);
            assertThat(limited.statusCode()).isEqualTo(429);
            assertThat(limited.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(limited.headers().firstValue("Authorization")).isEmpty();
            assertThat(limited.body()).isEqualTo("too many requests");
            assertThat(kubectl.get(service.auth(), carol).statusCode()).as("another user has a bucket of their own").isEqualTo(200);

            List<JsonObject> lines = audit.lines();
            assertThat(lines).extracting(l -> l.getString("event")).containsExactly("ratelimit.exceeded");
            assertThat(lines.get(0).fieldNames()).containsExactlyElementsOf(fields(List.of("user", "tenant"),
                    List.of("limit", "profile", "retry_after_s"), List.of("client_ip", "user_agent", "request_id")));
            assertThat(lines.get(0).getString("user")).isEqualTo("bob@contoso.example");
            assertThat(lines.get(0).getString("tenant")).isEqualTo(EntraStandIn.TENANT);
            assertThat(lines.get(0).getString("limit")).isEqualTo("auth");
            assertThat(lines.get(0).getString("profile")).isEqualTo("aks");
            assertThat(lines.get(0).getLong("retry_after_s")).isEqualTo(1L);
            assertThat(lines.get(0).getString("client_ip")).isEqualTo(CLIENT_IP);
        }

        // The same buckets as sessions: a user's own token and their browser session share one.
        TestBrowser alice = signIn(browser("req-a"));
        assertThat(alice.get(service.auth()).statusCode()).isEqualTo(200);
        assertThat(kubectl.get(service.auth(), aliceOwn).statusCode()).isEqualTo(200);
        assertThat(alice.get(service.auth()).statusCode()).isEqualTo(429);

        assertThat(metrics()).containsEntry(series("aks_auth_proxy_auth_decisions_total", "outcome", "rate_limited", "profile", "aks"), 2.0)
                .containsEntry(series("aks_auth_proxy_ratelimit_exceeded_total", "limit", "auth"), 2.0)
                .containsEntry(series("aks_auth_proxy_ratelimit_limited_clients", "limit", "auth"), 2.0);
    }

    @Test
    void signInStartsAreLimitedPerClientAddressFromTheTrustedProxy() throws Exception {
        start(Map.of("AKS_AUTH_PROXY_SIGN_IN_RATE_BURST", "2", "AKS_AUTH_PROXY_SIGN_IN_RATE_PER_MINUTE", "1"));
        TestBrowser b = browser("req-5");
        assertThat(b.get(service.start("/")).statusCode()).isEqualTo(302);
        assertThat(b.get(service.start("/")).statusCode()).isEqualTo(302);
        HttpResponse<String> limited = b.get(service.start("/"));
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).hasValue("60");
        assertThat(limited.body()).contains("Too many sign-in attempts");

        TestBrowser other = browser("req-6");
        other.headers.put("X-Real-IP", "203.0.113.8");
        assertThat(other.get(service.start("/")).statusCode()).isEqualTo(302);

        service.clock.advance(Duration.ofSeconds(60));
        assertThat(b.get(service.start("/")).statusCode()).isEqualTo(302);
        assertThat(b.get(service.start("/")).statusCode()).isEqualTo(429);
        assertThat(metrics()).containsEntry(series("aks_auth_proxy_ratelimit_exceeded_total", "limit", "sign_in"), 2.0)
                .containsEntry(series("aks_auth_proxy_ratelimit_limited_clients", "limit", "sign_in"), 1.0);
    }

    /** Starts a sign-in with this X-Real-IP; returns the status and, for a 429, the audited client_ip. */
    private HttpResponse<String> startFrom(String realIp) {
        TestBrowser b = browser("req-ip");
        b.headers.put("X-Real-IP", realIp);
        return b.get(service.start("/"));
    }

    private static String auditedClientIp(AuditCapture audit) {
        List<JsonObject> limited = audit.lines().stream().filter(l -> "ratelimit.exceeded".equals(l.getString("event"))).toList();
        assertThat(limited).hasSize(1);
        assertThat(limited.get(0).getString("limit")).isEqualTo("sign_in");
        return limited.get(0).getString("client_ip");
    }

    @Test
    void xRealIpFromAPeerOutsideTheTrustedProxiesIsIgnoredForTheSignInLimitAndTheAudit() throws Exception {
        start(Map.of("AKS_AUTH_PROXY_TRUSTED_PROXIES", "10.244.0.0/16", "AKS_AUTH_PROXY_SIGN_IN_RATE_BURST", "1"));
        try (AuditCapture audit = new AuditCapture()) {
            assertThat(startFrom("203.0.113.7").statusCode()).isEqualTo(302);
            HttpResponse<String> limited = startFrom("203.0.113.8");
            assertThat(limited.statusCode()).as("one bucket: the peer's").isEqualTo(429);
            assertThat(limited.headers().firstValue("Retry-After")).hasValue("6");
            assertThat(auditedClientIp(audit)).isEqualTo("127.0.0.1");
        }
    }

    @Test
    void xRealIpThatIsNotAFullAddressLiteralFallsBackToThePeerAddress() throws Exception {
        start(Map.of("AKS_AUTH_PROXY_SIGN_IN_RATE_BURST", "1"));
        try (AuditCapture audit = new AuditCapture()) {
            // InetAddress reads 167772161 as 10.0.0.1 and 10.1 as 10.0.0.1: neither is an address a proxy writes.
            assertThat(startFrom("167772161").statusCode()).isEqualTo(302);
            HttpResponse<String> limited = startFrom("10.1");
            assertThat(limited.statusCode()).as("one bucket: the peer's").isEqualTo(429);
            assertThat(auditedClientIp(audit)).isEqualTo("127.0.0.1");
        }
        service.clock.advance(Duration.ofMinutes(1));
        try (AuditCapture audit = new AuditCapture()) {
            assertThat(startFrom("999.1.1.1").statusCode()).isEqualTo(302);
            assertThat(startFrom("1.2.3.4.5").statusCode()).isEqualTo(429);
            assertThat(auditedClientIp(audit)).isEqualTo("127.0.0.1");
        }
    }

    private static List<String> fields(List<String> who, List<String> specific, List<String> request) {
        List<String> all = new java.util.ArrayList<>(List.of("time", "level", "logger", "event"));
        all.addAll(who);
        all.addAll(specific);
        all.addAll(request);
        return all;
    }
}
