package io.github.aksauthproxy.it;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.http.Ssl;
import no.nav.security.mock.oauth2.token.KeyProvider;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import no.nav.security.mock.oauth2.http.OAuth2HttpResponse;

/**
 * The stand-in for Microsoft Entra ID: mock-oauth2-server in-process over HTTPS (its own certificate), with
 * issuer id {@code <tenant>/oauth2/v2.0} so its endpoints have Entra's path shape, and Entra-shaped claims.
 */
public final class EntraStandIn implements AutoCloseable {
    public static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    public static final String CLIENT_ID = "3c1f5f0e-9a4e-4b8e-a7f5-1d2b3c4d5e6f";
    static final EntraShapedTokenCallback.User ALICE = new EntraShapedTokenCallback.User(
            "11111111-2222-3333-4444-555555555555", "alice@contoso.example", "Alice Example",
            List.of("aaaaaaaa-0000-0000-0000-000000000001", "aaaaaaaa-0000-0000-0000-000000000002"));

    public final MockOAuth2Server server;
    final EntraShapedTokenCallback claims;
    private final EntraLikeRedemption redemption = new EntraLikeRedemption();
    private final KeyProvider keys = new KeyProvider();
    private final StandInHttpServer http;
    private final Ssl ssl;
    private final List<RecordedRequest> seen = new ArrayList<>();
    /** Answers that replace the token endpoint's, by grant type (see {@link #answerTokenRequests}). */
    private volatile java.util.concurrent.CountDownLatch held;
    private final Map<String, MockResponse> tokenAnswers = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<java.util.function.BiConsumer<String, String>> issuedObservers = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Token requests that arrived and are held by {@link #holdTokenRequests}, and the most there ever were at once. */
    private final java.util.concurrent.atomic.AtomicInteger tokenRequestsInFlight = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger peakTokenRequestsInFlight = new java.util.concurrent.atomic.AtomicInteger();

    public EntraStandIn() {
        this(false);
    }

    /**
     * @param interactiveLogin show mock-oauth2-server's login page, where any user name can be typed (the demo);
     *     otherwise every sign-in is {@code claims}' current user without a page
     */
    public EntraStandIn(boolean interactiveLogin) {
        this(new Ssl(), 0, interactiveLogin);
    }

    private EntraStandIn(Ssl ssl, int port, boolean interactiveLogin) {
        this.ssl = ssl;
        this.claims = new EntraShapedTokenCallback(TENANT, CLIENT_ID, interactiveLogin ? null : ALICE);
        UnaryOperator<StandInHttpServer.Handler> login = interactiveLogin ? new UserNameLogin(TENANT) : UnaryOperator.identity();
        this.http = new StandInHttpServer(ssl, handler -> login.apply(redemption.apply(answeringTokenRequests(handler))));
        OAuth2Config config = new OAuth2Config(interactiveLogin, null, null, false, new OAuth2TokenProvider(keys), Set.of(claims), http);
        this.server = new MockOAuth2Server(config);
        server.start(java.net.InetAddress.getLoopbackAddress(), port);
        SecretsRecordingDispatcher.install(http.mockWebServer());
    }

    /**
     * mock-oauth2-server 6 refuses {@code enqueueResponse}; its request handler is wrapped instead, so a test can
     * make the token endpoint refuse or fail the way Entra does while everything else stays real.
     */
    private StandInHttpServer.Handler answeringTokenRequests(StandInHttpServer.Handler real) {
        return request -> {
            if (request.getUrl().encodedPath().endsWith("/token")) {
                int now = tokenRequestsInFlight.incrementAndGet();
                peakTokenRequestsInFlight.accumulateAndGet(now, Math::max);
                try {
                    awaitRelease();
                } finally {
                    tokenRequestsInFlight.decrementAndGet();
                }
                String grant = request.getFormParameters().get("grant_type");
                MockResponse answer = tokenAnswers.get(grant == null ? "" : grant);
                if (answer != null) {
                    int status = Integer.parseInt(answer.getStatus().split(" ")[1]);
                    String body = answer.getBody() == null ? "" : answer.getBody().clone().readUtf8();
                    return new OAuth2HttpResponse(answer.getHeaders(), status, body, null);
                }
            }
            OAuth2HttpResponse issued = real.invoke(request);
            if (request.getUrl().encodedPath().endsWith("/token") && issued.getStatus() == 200 && issued.getBody() != null) {
                String grant = request.getFormParameters().get("grant_type");
                issuedObservers.forEach(o -> o.accept(grant == null ? "" : grant, issued.getBody()));
            }
            return issued;
        };
    }

    /**
     * {@code observer} sees the grant type and body of every token response the stand-in issues, before the client
     * gets it: what a resource server trusting Entra's tokens learns from Entra (for instance Azure Redis's ACL).
     */
    public void observeIssuedTokens(java.util.function.BiConsumer<String, String> observer) {
        issuedObservers.add(observer);
    }

    /** Token requests wait (at most 20 s each) until the returned latch is counted down: Entra being slow. */
    public java.util.concurrent.CountDownLatch holdTokenRequests() {
        java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
        held = gate;
        return gate;
    }

    /** Token requests at the stand-in now, waiting for {@link #holdTokenRequests}' latch. */
    public int tokenRequestsHeld() {
        return tokenRequestsInFlight.get();
    }

    /** The most token requests that were ever at the stand-in at once. */
    public int peakTokenRequestsHeld() {
        return peakTokenRequestsInFlight.get();
    }

    private void awaitRelease() {
        java.util.concurrent.CountDownLatch gate = held;
        if (gate != null) {
            try {
                gate.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** From now on every token request of this grant type gets {@code answer}, until {@link #answerTokenRequestsNormally}. */
    public void answerTokenRequests(String grantType, MockResponse answer) {
        tokenAnswers.put(grantType, answer);
    }

    public void answerTokenRequestsNormally() {
        tokenAnswers.clear();
    }

    /**
     * An error answer of Entra's token endpoint, shaped like Entra's: {@code error}, {@code error_description}
     * starting with the AADSTS code, {@code error_codes}, and {@code suberror} and {@code claims} when given.
     */
    public static MockResponse entraError(int status, String error, String aadsts, String suberror, String claims) {
        io.vertx.core.json.JsonObject body = new io.vertx.core.json.JsonObject().put("error", error)
                .put("error_description", aadsts + ": refused by the stand-in. Trace ID: 0000 Correlation ID: 0000 Timestamp: 2026-01-01 00:00:00Z")
                .put("error_codes", new io.vertx.core.json.JsonArray().add(Long.parseLong(aadsts.substring("AADSTS".length()))))
                .put("trace_id", "00000000-0000-0000-0000-000000000000").put("correlation_id", "00000000-0000-0000-0000-000000000000");
        if (suberror != null) {
            body.put("suberror", suberror);
        }
        if (claims != null) {
            body.put("claims", claims);
        }
        return new MockResponse().setResponseCode(status).setHeader("Content-Type", "application/json; charset=utf-8").setBody(body.encode());
    }

    /** Every authorize request the browser made to the stand-in so far, as its query parameters. */
    List<Map<String, String>> authorizeRequests() {
        return requests().stream().filter(r -> r.getPath() != null && URI.create(r.getPath()).getPath().endsWith("/authorize"))
                .map(r -> form(URI.create(r.getPath()).getRawQuery())).toList();
    }

    /** A new stand-in on the port and with the certificate of one that was closed: the IdP coming back. */
    public static EntraStandIn restartOf(EntraStandIn closed) {
        return new EntraStandIn(closed.ssl, closed.server.baseUrl().port(), false);
    }

    /** The authority host, like {@code https://localhost:port/} (Entra's is {@code https://login.microsoftonline.com/}). */
    public String authorityHost() {
        return "https://localhost:" + server.baseUrl().port() + "/";
    }

    public String discoveryUrl() {
        return server.wellKnownUrl(TENANT + "/oauth2/v2.0").toString();
    }

    /** Where a browser signing out of Entra goes (Entra's is {@code .../oauth2/v2.0/logout}). */
    public String endSessionUrl() {
        return server.endSessionEndpointUrl(TENANT + "/oauth2/v2.0").toString();
    }

    public String issuer() {
        return server.issuerUrl(TENANT + "/oauth2/v2.0").toString();
    }

    public SSLContext trust() {
        try {
            KeyStore ks = ssl.getSslKeystore().getKeyStore();
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The stand-in's certificate as a PEM file, for AKS_AUTH_PROXY_IDP_CA_FILE. */
    public java.nio.file.Path writeCaFile(java.nio.file.Path dir) {
        try {
            KeyStore ks = ssl.getSslKeystore().getKeyStore();
            StringBuilder pem = new StringBuilder();
            for (String alias : java.util.Collections.list(ks.aliases())) {
                java.security.cert.Certificate c = ks.getCertificate(alias);
                if (c != null) {
                    pem.append("-----BEGIN CERTIFICATE-----\n")
                            .append(java.util.Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(c.getEncoded()))
                            .append("\n-----END CERTIFICATE-----\n");
                }
            }
            java.nio.file.Path file = dir.resolve("idp-ca.pem");
            java.nio.file.Files.writeString(file, pem);
            return file;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Like {@link #writeCaFile(java.nio.file.Path)}, trusting {@code also}'s certificate too (a discovery document served beside the stand-in). */
    public java.nio.file.Path writeCaFile(java.nio.file.Path dir, LoopbackHttpsServer also) {
        try {
            java.nio.file.Path file = dir.resolve("idp-and-loopback-ca.pem");
            java.nio.file.Files.writeString(file, java.nio.file.Files.readString(writeCaFile(dir)) + java.nio.file.Files.readString(also.caFile()));
            return file;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The stand-in's TLS key and certificate, for a front that presents the same certificate (the benchmark rig). */
    public Ssl ssl() {
        return ssl;
    }

    /**
     * The next request the IdP received, or null when none arrives within the timeout. The server keeps every request
     * it served until it is taken (this, or {@link #requests()}).
     */
    public RecordedRequest takeRequest(long timeout, TimeUnit unit) throws InterruptedException {
        return http.takeRequest(timeout, unit);
    }

    /** Every request the IdP received so far (drains its queue). */
    synchronized List<RecordedRequest> requests() {
        while (true) {
            RecordedRequest r;
            try {
                r = takeRequest(20, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            if (r == null) {
                break;
            }
            seen.add(r);
        }
        return List.copyOf(seen);
    }

    /** Form fields of the token requests the IdP received, in order. */
    List<Map<String, String>> tokenRequests() {
        return requests().stream().filter(r -> r.getPath() != null && URI.create(r.getPath()).getPath().endsWith("/token"))
                .map(r -> form(r.getBody().clone().readUtf8())).toList();
    }

    public List<Map<String, String>> tokenRequests(String grantType) {
        return tokenRequests().stream().filter(f -> grantType.equals(f.get("grant_type"))).toList();
    }

    private static Map<String, String> form(String body) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                m.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return m;
    }

    /** From now on the tokens minted from a refresh token (what /oauth2/auth hands out) carry these claims as well. */
    public void refreshedClaims(Map<String, Object> more) {
        claims.refreshedClaims(more);
    }

    /** How long the tokens issued from now on live, in seconds. */
    public void tokenLifetime(long seconds) {
        claims.tokenLifetime(seconds);
    }

    /**
     * The next code redemption answers with what {@code forge} makes of the ID token the stand-in issued (the rest of
     * the token response as issued), so tests can hand the service ID tokens Entra would never send.
     */
    void forgeNextIdToken(Function<SignedJWT, String> forge) {
        redemption.forgeNextIdToken(forge);
    }

    /** {@code claims} signed as the stand-in signs its tokens: RS256 with its current key, {@code typ: JWT}. */
    String signedAsTheStandIn(JWTClaimsSet claims) {
        return signed(claims, (RSAKey) keys.signingKey(TENANT + "/oauth2/v2.0"));
    }

    /** {@code claims} signed with the stand-in's current key, but with another {@code typ} in the header. */
    String signedAsTheStandIn(JWTClaimsSet claims, JOSEObjectType typ) {
        return signed(claims, (RSAKey) keys.signingKey(TENANT + "/oauth2/v2.0"), typ);
    }

    /** {@code claims} signed with {@code key} the way the stand-in signs: RS256, the key's id, {@code typ: JWT}. */
    static String signed(JWTClaimsSet claims, RSAKey key) {
        return signed(claims, key, JOSEObjectType.JWT);
    }

    private static String signed(JWTClaimsSet claims, RSAKey key, JOSEObjectType typ) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).type(typ).build(), claims);
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The stand-in's signing keys, to check that a token really came from it. */
    public com.nimbusds.jose.jwk.JWKSet keys() {
        try {
            java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().sslContext(trust()).build();
            String body = http.send(java.net.http.HttpRequest.newBuilder(URI.create(server.jwksUrl(TENANT + "/oauth2/v2.0").toString())).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            return com.nimbusds.jose.jwk.JWKSet.parse(body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.shutdown();
    }
}
