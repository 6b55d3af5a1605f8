package io.github.aksauthproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.github.aksauthproxy.config.ConfigLoader;
import io.github.aksauthproxy.sidecar.SidecarServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sidecar end to end: the stand-in IdP issues app-only tokens (client credentials), and a local HTTPS echo
 * server stands in for Azure Monitor's Prometheus query API.
 */
public class SidecarProxyTest {
    public static final String SCOPE = "https://prometheus.monitor.azure.com/.default";
    static final String PROMQL_FORM = "query=" + URLEncoder.encode("sum by (pod) (rate(container_cpu_usage_seconds_total{namespace=\"a&b\"}[5m]))",
            StandardCharsets.UTF_8) + "&time=1767225600.000&timeout=30s";

    @TempDir
    Path dir;
    EntraStandIn idp;
    LoopbackHttpsServer upstream;
    MutableClock clock = new MutableClock(Instant.now());
    Path tokenFile;
    Vertx vertx;
    SidecarServer sidecar;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        idp = new EntraStandIn();
        upstream = new LoopbackHttpsServer((req, got) -> req.response().setStatusCode(200).putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("status", "success").put("echo", got.body()).encode()));
        tokenFile = dir.resolve("azure-identity-token");
        ServiceUnderTest.writeAssertion(tokenFile, "first", clock);
        vertx = Vertx.vertx();
    }

    @AfterEach
    void stop() throws Exception {
        if (sidecar != null) {
            sidecar.close().await(10, TimeUnit.SECONDS);
        }
        vertx.close().await(10, TimeUnit.SECONDS);
        upstream.close();
        idp.close();
    }

    /** The environment a pod with the workload-identity webhook and a sidecar configuration would have. */
    public static Map<String, String> sidecarEnv(EntraStandIn idp, Path dir, Path tokenFile, String upstreamUrl, Path upstreamCa) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("AZURE_CLIENT_ID", EntraStandIn.CLIENT_ID);
        env.put("AZURE_TENANT_ID", EntraStandIn.TENANT);
        env.put("AZURE_FEDERATED_TOKEN_FILE", tokenFile.toString());
        env.put("AZURE_AUTHORITY_HOST", idp.authorityHost());
        env.put("AKS_AUTH_PROXY_IDP_CA_FILE", idp.writeCaFile(dir).toString());
        env.put("AKS_AUTH_PROXY_SIDECAR_PORT", String.valueOf(ServiceUnderTest.freePort()));
        env.put("AKS_AUTH_PROXY_SIDECAR_SCOPE", SCOPE);
        env.put("AKS_AUTH_PROXY_SIDECAR_UPSTREAM", upstreamUrl);
        env.put("AKS_AUTH_PROXY_SIDECAR_UPSTREAM_CA_FILE", upstreamCa.toString());
        return env;
    }

    private void startSidecar(Map<String, String> overrides) throws Exception {
        Map<String, String> env = sidecarEnv(idp, dir, tokenFile, upstream.url(), upstream.caFile());
        env.putAll(overrides);
        sidecar = SidecarServer.start(vertx, ConfigLoader.loadSidecar(env), clock).await(20, TimeUnit.SECONDS);
    }

    private String url(String path) {
        return "http://127.0.0.1:" + sidecar.port() + path;
    }

    private HttpResponse<String> query(String clientAuthorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url("/api/v1/query")))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(PROMQL_FORM));
        if (clientAuthorization != null) {
            b.header("Authorization", clientAuthorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url(path))).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String lastUpstreamBearer() {
        List<LoopbackHttpsServer.Received> got = upstream.received();
        List<String> auth = got.get(got.size() - 1).headers().getAll("Authorization");
        assertThat(auth).hasSize(1);
        assertThat(auth.get(0)).startsWith("Bearer ");
        return auth.get(0).substring("Bearer ".length());
    }

    /** The upstream's check of the bearer token: signed by the IdP, for the Prometheus resource, issued to our app. */
    private JWTClaimsSet verifiedByTheIdp(String token) throws Exception {
        SignedJWT jwt = SignedJWT.parse(token);
        RSAKey key = (RSAKey) idp.keys().getKeyByKeyId(jwt.getHeader().getKeyID());
        assertThat(jwt.verify(new RSASSAVerifier(key))).as("signed by the IdP").isTrue();
        JWTClaimsSet claims = jwt.getJWTClaimsSet();
        assertThat(claims.getAudience()).containsExactly("https://prometheus.monitor.azure.com");
        assertThat(claims.getIssuer()).isEqualTo(idp.issuer());
        assertThat(claims.getStringClaim("azp")).isEqualTo(EntraStandIn.CLIENT_ID);
        return claims;
    }

    /** Polls {@code /health} until it matches, for at most ten seconds (a background renewal has to finish first). */
    private JsonObject awaitHealth(Predicate<JsonObject> condition) throws Exception {
        return awaitHealth(condition, Duration.ZERO);
    }

    /**
     * Like {@link #awaitHealth(Predicate)}, moving the test clock by {@code step} between polls, as time passes
     * between the sidecar's retries.
     */
    private JsonObject awaitHealth(Predicate<JsonObject> condition, Duration step) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        JsonObject last;
        do {
            last = new JsonObject(get("/health").body());
            if (condition.test(last)) {
                return last;
            }
            TimeUnit.MILLISECONDS.sleep(10);
            clock.advance(step);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("/health did not match within 10 s; last: " + last);
    }

    @Test
    void anUpstreamWhoseCertificateNamesAnotherHostGetsNoRequestAndNoToken() throws Exception {
        // The certificate, trusted through the CA file, names localhost only; the sidecar is told 127.0.0.1.
        startSidecar(Map.of("AKS_AUTH_PROXY_SIDECAR_UPSTREAM", upstream.url().replace("localhost", "127.0.0.1")));
        awaitHealth(h -> "ok".equals(h.getString("status")));

        HttpResponse<String> r = query(null);

        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(r.body()).doesNotContain("eyJ");
        assertThat(upstream.received()).as("requests that reached the upstream").isEmpty();
    }

    @Test
    void prometheusQueryReachesTheUpstreamWithTheAppTokenAndItsFormBodyIntact() throws Exception {
        startSidecar(Map.of());
        HttpResponse<String> r = query("Bearer the-clients-own-token");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(r.body()).getString("echo")).isEqualTo(PROMQL_FORM);

        List<LoopbackHttpsServer.Received> got = upstream.received();
        assertThat(got).hasSize(1);
        LoopbackHttpsServer.Received q = got.get(0);
        assertThat(q.method()).isEqualTo("POST");
        assertThat(q.uri()).isEqualTo("/api/v1/query");
        assertThat(q.body()).isEqualTo(PROMQL_FORM);
        assertThat(q.headers().get("Content-Type")).isEqualTo("application/x-www-form-urlencoded");
        assertThat(q.headers().get("Host")).isEqualTo(URI.create(upstream.url()).getAuthority());
        String bearer = lastUpstreamBearer();
        assertThat(bearer).isNotEqualTo("the-clients-own-token");
        verifiedByTheIdp(bearer);
        assertThat(idp.tokenRequests("client_credentials")).singleElement()
                .satisfies(f -> assertThat(f.get("scope").split(" ")).contains(SCOPE))
                .satisfies(f -> assertThat(f).containsEntry("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"));
    }

    @Test
    void upstreamBasePathGoesBeforeTheRequestPathAndOtherPathsAre404() throws Exception {
        startSidecar(Map.of("AKS_AUTH_PROXY_SIDECAR_UPSTREAM", upstream.url() + "/prometheus/",
                "AKS_AUTH_PROXY_SIDECAR_PATH_PREFIX", "/api/v1/"));
        assertThat(http.send(HttpRequest.newBuilder(URI.create(url("/api/v1/query_range?query=up&step=15s"))).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        assertThat(upstream.received()).singleElement().satisfies(q -> assertThat(q.uri()).isEqualTo("/prometheus/api/v1/query_range?query=up&step=15s"));

        HttpResponse<String> outside = get("/admin/config");
        assertThat(outside.statusCode()).isEqualTo(404);
        assertThat(get("/api/v1/../../admin").statusCode()).isEqualTo(400);
        assertThat(get("/api/v1/%2e%2e/admin").statusCode()).isEqualTo(400);
        assertThat(upstream.received()).hasSize(1);
    }

    /**
     * The sidecar sends the workload's token with every request it proxies, and has no clients of its own to
     * authenticate: only the pod's own containers (loopback) may reach it unless an operator says otherwise. On
     * Linux all of 127/8 is loopback, so a listener on 0.0.0.0 also answers on 127.0.0.2, one on 127.0.0.1 does not.
     */
    @Test
    void listensOnLoopbackOnlyByDefaultEvenWhenServesListenAddressIsAllInterfaces() throws Exception {
        try (LogCapture logs = new LogCapture()) {
            startSidecar(Map.of("AKS_AUTH_PROXY_LISTEN_ADDRESS", "0.0.0.0"));
            assertThat(logs.lines()).anyMatch(l -> l.contains("event=sidecar.started address=127.0.0.1 "))
                    .noneMatch(l -> l.contains("event=sidecar.exposed"));
        }
        assertThat(get("/health").statusCode()).isEqualTo(200);
        assertThat(reachable("127.0.0.2", sidecar.port())).as("reachable from outside the pod").isFalse();
    }

    @Test
    void listensOnAllInterfacesOnlyWhenTheSidecarListenAddressSaysSoAndWarnsOfIt() throws Exception {
        try (LogCapture logs = new LogCapture()) {
            startSidecar(Map.of("AKS_AUTH_PROXY_SIDECAR_LISTEN_ADDRESS", "0.0.0.0"));
            assertThat(logs.lines()).anyMatch(l -> l.startsWith(SidecarServer.class.getName() + "  event=sidecar.exposed address=0.0.0.0 "));
        }
        assertThat(reachable("127.0.0.2", sidecar.port())).isTrue();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.2:" + sidecar.port() + "/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
    }

    private static boolean reachable(String host, int port) throws Exception {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(host, port), 2000);
            return true;
        } catch (java.net.ConnectException refused) {
            return false;
        }
    }

    /** Sends the request exactly as written, as an attacker would; returns the status code of the answer. */
    private int raw(String... requestLineAndHeaders) throws Exception {
        String status = RawHttp.statusLine(sidecar.port(), requestLineAndHeaders);
        assertThat(status).as("status line").startsWith("HTTP/1.1 ");
        return Integer.parseInt(status.split(" ")[1]);
    }

    @Test
    void absoluteFormTargetReachesTheUpstreamAsItsPathAndQueryOnly() throws Exception {
        startSidecar(Map.of("AKS_AUTH_PROXY_SIDECAR_UPSTREAM", upstream.url() + "/prometheus", "AKS_AUTH_PROXY_SIDECAR_PATH_PREFIX", "/api/v1/"));
        assertThat(raw("GET http://evil.example/api/v1/query?query=up HTTP/1.1", "Host: evil.example", "Connection: close")).isEqualTo(200);
        assertThat(upstream.received()).singleElement().satisfies(q -> {
            assertThat(q.uri()).isEqualTo("/prometheus/api/v1/query?query=up");
            assertThat(q.headers().get("Host")).isEqualTo(URI.create(upstream.url()).getAuthority());
        });
    }

    @Test
    void hopByHopConnectionNamedAndForwardingHeadersNeverReachTheUpstream() throws Exception {
        startSidecar(Map.of());
        assertThat(raw("GET /api/v1/query?query=up HTTP/1.1", "Host: sidecar.example", "Connection: close, X-Hop-Secret",
                "X-Hop-Secret: for-the-next-hop-only", "Keep-Alive: timeout=5", "Proxy-Connection: keep-alive", "TE: trailers",
                "Proxy-Authorization: Basic Zm9vOmJhcg==", "X-Forwarded-For: 198.51.100.66", "X-Forwarded-Host: evil.example",
                "X-Forwarded-Proto: http", "Forwarded: for=198.51.100.66;host=evil.example", "X-Real-IP: 198.51.100.66",
                "Accept: application/json")).isEqualTo(200);
        io.vertx.core.MultiMap got = upstream.received().get(0).headers();
        assertThat(got.names()).map(n -> n.toLowerCase(java.util.Locale.ROOT)).doesNotContain("x-hop-secret", "keep-alive",
                "proxy-connection", "te", "proxy-authorization", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "forwarded",
                "x-real-ip");
        assertThat(got.getAll("Connection")).noneMatch(v -> v.toLowerCase(java.util.Locale.ROOT).contains("x-hop-secret"));
        assertThat(got.get("Accept")).isEqualTo("application/json");
        assertThat(got.get("Host")).isEqualTo(URI.create(upstream.url()).getAuthority());
    }

    /**
     * Servlet containers drop {@code ;parameters} from a segment before resolving it, so {@code /api/..;/admin} is
     * {@code /admin} to them; encoded dots are dots once the upstream decodes them (twice for {@code %252e}).
     */
    @Test
    void dotSegmentsHiddenByPathParametersOrEncodingAre400AndNeverReachTheUpstream() throws Exception {
        startSidecar(Map.of("AKS_AUTH_PROXY_SIDECAR_PATH_PREFIX", "/api/"));
        for (String path : List.of("/api/..;/admin", "/api/..;jsessionid=x/admin", "/api/.;/admin", "/api/%2e%2e;/admin",
                "/api/..%3b/admin", "/api/%2E%2E/admin", "/api/.%2e/admin", "/api/%252e%252e/admin", "/api/..%2fadmin",
                "/api/..%5cadmin", "/api/v1/..", "/api/v1/..;")) {
            assertThat(raw("GET " + path + " HTTP/1.1", "Host: 127.0.0.1", "Connection: close")).as(path).isEqualTo(400);
        }
        assertThat(upstream.received()).isEmpty();
        assertThat(raw("GET /api/v1/a..b;c HTTP/1.1", "Host: 127.0.0.1", "Connection: close")).as("dots inside a name").isEqualTo(200);
        assertThat(upstream.received()).singleElement().satisfies(q -> assertThat(q.uri()).isEqualTo("/api/v1/a..b;c"));
    }

    @Test
    void healthReportsTheTokenAndItsExpiry() throws Exception {
        startSidecar(Map.of());
        HttpResponse<String> r = get("/health");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonObject h = new JsonObject(r.body());
        assertThat(h.fieldNames()).containsExactlyInAnyOrder("status", "token_valid", "expires_at", "time_to_expiry", "last_error", "timestamp");
        assertThat(h.getString("status")).isEqualTo("ok");
        assertThat(h.getBoolean("token_valid")).isTrue();
        Instant expiresAt = Instant.parse(h.getString("expires_at"));
        assertThat(h.getLong("time_to_expiry")).isEqualTo(Duration.between(clock.instant(), expiresAt).toSeconds()).isBetween(3500L, 3700L);
        assertThat(h.getValue("last_error")).isNull();
        assertThat(h.getString("timestamp")).isEqualTo(clock.instant().toString());
    }

    @Test
    void rotatedTokenFileIsTheAssertionOfTheNextTokenRequest() throws Exception {
        startSidecar(Map.of());
        assertThat(query(null).statusCode()).isEqualTo(200);
        String firstToken = lastUpstreamBearer();
        assertThat(jti(idp.tokenRequests("client_credentials").get(0).get("client_assertion"))).isEqualTo("first");

        ServiceUnderTest.writeAssertion(tokenFile, "second", clock);
        idp.tokenLifetime(7200);
        clock.advance(Duration.ofMinutes(56));
        assertThat(query(null).statusCode()).as("the token in hand still serves while it is renewed").isEqualTo(200);
        awaitHealth(h -> !Instant.parse(h.getString("expires_at")).isBefore(clock.instant().plus(Duration.ofMinutes(30))));
        List<Map<String, String>> requests = idp.tokenRequests("client_credentials");
        assertThat(requests).hasSize(2);
        assertThat(jti(requests.get(1).get("client_assertion"))).isEqualTo("second");

        assertThat(query(null).statusCode()).isEqualTo(200);
        String renewed = lastUpstreamBearer();
        assertThat(renewed).isNotEqualTo(firstToken);
        verifiedByTheIdp(renewed);
    }

    @Test
    void idpDownLaterKeepsTheCachedTokenUntilItExpiresThen503AndRecoversWhenTheIdpReturns() throws Exception {
        startSidecar(Map.of());
        assertThat(query(null).statusCode()).isEqualTo(200);
        String cached = lastUpstreamBearer();
        idp.close();

        clock.advance(Duration.ofMinutes(56));
        assertThat(query(null).statusCode()).isEqualTo(200);
        assertThat(lastUpstreamBearer()).isEqualTo(cached);
        JsonObject failing = awaitHealth(h -> h.getValue("last_error") != null);
        assertThat(failing.getBoolean("token_valid")).isTrue();
        assertThat(failing.getString("last_error")).contains("Entra could not be reached");

        clock.advance(Duration.ofMinutes(4));
        HttpResponse<String> health = get("/health");
        assertThat(health.statusCode()).isEqualTo(503);
        assertThat(new JsonObject(health.body()).getBoolean("token_valid")).isFalse();
        assertThat(new JsonObject(health.body()).getString("status")).isEqualTo("unavailable");
        int before = upstream.received().size();
        HttpResponse<String> refused = query("Bearer the-clients-own-token");
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("10");
        assertThat(upstream.received()).as("nothing reaches the upstream without a token").hasSize(before);

        idp = EntraStandIn.restartOf(idp);
        idp.tokenLifetime(7200);
        // A renewal that set out while the IdP was down may fail after the restart and wait out its 10 s: the next one gets through.
        JsonObject recovered = awaitHealth(h -> h.getBoolean("token_valid"), Duration.ofSeconds(11));
        assertThat(recovered.getValue("last_error")).isNull();
        assertThat(get("/health").statusCode()).isEqualTo(200);
        assertThat(query(null).statusCode()).isEqualTo(200);
        assertThat(lastUpstreamBearer()).isNotEqualTo(cached);
    }

    private static String jti(String assertion) throws Exception {
        return SignedJWT.parse(assertion).getJWTClaimsSet().getJWTID();
    }
}
