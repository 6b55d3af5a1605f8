package io.github.aksauthproxy.it;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.http.MockWebServerWrapper;
import no.nav.security.mock.oauth2.http.Ssl;
import okhttp3.mockwebserver.RecordedRequest;

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
    private final Ssl ssl;
    private final List<RecordedRequest> seen = new ArrayList<>();

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
        UserNameLoginServer loginPage = interactiveLogin ? new UserNameLoginServer(ssl, TENANT) : null;
        MockWebServerWrapper http = interactiveLogin ? null : new MockWebServerWrapper(ssl);
        OAuth2Config config = new OAuth2Config(interactiveLogin, null, null, false,
                new no.nav.security.mock.oauth2.token.OAuth2TokenProvider(), Set.of(claims), interactiveLogin ? loginPage : http);
        this.server = new MockOAuth2Server(config);
        server.start(java.net.InetAddress.getLoopbackAddress(), port);
        SecretsRecordingDispatcher.install(interactiveLogin ? loginPage.mockWebServer() : http.getMockWebServer());
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

    /** The stand-in's TLS key and certificate, for a front that presents the same certificate (the benchmark rig). */
    public Ssl ssl() {
        return ssl;
    }

    /** Every request the IdP received so far (drains its queue). */
    synchronized List<RecordedRequest> requests() {
        while (true) {
            RecordedRequest r;
            try {
                r = server.takeRequest(20, TimeUnit.MILLISECONDS);
            } catch (RuntimeException queueEmpty) {
                // mock-oauth2-server throws instead of returning null when nothing arrived in time
                break;
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

    /** How long the tokens issued from now on live, in seconds. */
    public void tokenLifetime(long seconds) {
        claims.tokenLifetime(seconds);
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
