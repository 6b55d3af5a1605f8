package io.github.aksauthproxy.it;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.github.aksauthproxy.config.Config;
import io.github.aksauthproxy.config.ConfigLoader;
import io.github.aksauthproxy.http.AuthProxyServer;
import io.github.aksauthproxy.observe.ServiceMetrics;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** The service started in-process on loopback, configured like production except for the stand-in IdP. */
public final class ServiceUnderTest implements AutoCloseable {
    static final String KEY_1 = randomKey();
    static final String KEY_2 = randomKey();

    /** Random bytes as usual (states, nonces, session ids), but every jitter drawn exactly in the middle of its range. */
    static final SecureRandom HALFWAY_JITTER = new SecureRandom() {
        @Override
        public double nextDouble() {
            return 0.5;
        }
    };

    final Vertx vertx;
    final AuthProxyServer server;
    final Config config;
    final MutableClock clock;
    final Path tokenFile;
    final String publicUrl;
    final String internalUrl;
    final ServiceMetrics metrics;
    /** The environment the service was configured from, for commands run with the same settings. */
    final Map<String, String> env;

    private ServiceUnderTest(Vertx vertx, AuthProxyServer server, Config config, MutableClock clock, Path tokenFile, ServiceMetrics metrics,
                             Map<String, String> env) {
        this.metrics = metrics;
        this.env = Map.copyOf(env);
        this.vertx = vertx;
        this.server = server;
        this.config = config;
        this.clock = clock;
        this.tokenFile = tokenFile;
        this.publicUrl = "http://127.0.0.1:" + config.publicPort();
        this.internalUrl = "http://127.0.0.1:" + config.internalPort();
    }

    static ServiceUnderTest start(EntraStandIn idp, Path dir, MutableClock clock, Map<String, String> overrides) throws Exception {
        return start(idp, dir, clock, overrides, new SecureRandom());
    }

    /** @param random the service's randomness; {@link #HALFWAY_JITTER} makes its retry delays exact */
    static ServiceUnderTest start(EntraStandIn idp, Path dir, MutableClock clock, Map<String, String> overrides, SecureRandom random)
            throws Exception {
        Path tokenFile = dir.resolve("azure-identity-token-" + UUID.randomUUID());
        writeAssertion(tokenFile, "first", clock);
        int publicPort = freePort();
        Map<String, String> env = environment(idp, dir, tokenFile, "http://127.0.0.1:" + publicPort, publicPort, freePort());
        env.putAll(overrides);
        env.values().removeIf(v -> v == null || v.isEmpty());
        for (String key : env.getOrDefault("AKS_AUTH_PROXY_COOKIE_SECRETS", "").split(",")) {
            SecretsSeen.add(key.trim());
        }
        SecretsSeen.add(env.get("AKS_AUTH_PROXY_CLIENT_SECRET"));
        Config config = ConfigLoader.load(env);
        ServiceMetrics metrics = new ServiceMetrics(config.profiles().keySet());
        Vertx vertx = metrics.newVertx();
        AuthProxyServer server = AuthProxyServer.start(vertx, config, clock, random,
                Optional.of(new EntraLikeHttpClient(idp.trust())), metrics).await(20, TimeUnit.SECONDS);
        return new ServiceUnderTest(vertx, server, config, clock, tokenFile, metrics, env);
    }

    /**
     * The environment that points the service at the stand-in IdP on loopback, as production would point it at Entra.
     *
     * @param origin where browsers reach the public listener (the redirect URL's scheme, host and port)
     */
    static Map<String, String> environment(EntraStandIn idp, Path dir, Path tokenFile, String origin, int publicPort, int internalPort) {
        Map<String, String> env = new HashMap<>();
        env.put("AZURE_CLIENT_ID", EntraStandIn.CLIENT_ID);
        env.put("AZURE_TENANT_ID", EntraStandIn.TENANT);
        env.put("AZURE_FEDERATED_TOKEN_FILE", tokenFile.toString());
        env.put("AZURE_AUTHORITY_HOST", idp.authorityHost());
        env.put("AKS_AUTH_PROXY_OIDC_DISCOVERY_URL", idp.discoveryUrl());
        env.put("AKS_AUTH_PROXY_IDP_CA_FILE", idp.writeCaFile(dir).toString());
        env.put("AKS_AUTH_PROXY_REDIRECT_URL", origin + "/oauth2/callback");
        env.put("AKS_AUTH_PROXY_COOKIE_SECRETS", KEY_1);
        env.put("AKS_AUTH_PROXY_LISTEN_ADDRESS", "127.0.0.1");
        env.put("AKS_AUTH_PROXY_PUBLIC_PORT", String.valueOf(publicPort));
        env.put("AKS_AUTH_PROXY_INTERNAL_PORT", String.valueOf(internalPort));
        return env;
    }

    /** Writes a projected service-account token as the workload-identity webhook would; {@code jti} tells versions apart. */
    public static void writeAssertion(Path file, String jti, MutableClock clock) throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).generate();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer("https://oidc.prod-aks.azure.com/cluster-issuer/")
                .subject(EntraStandIn.CLIENT_ID)
                .audience("api://AzureADTokenExchange")
                .jwtID(jti)
                .issueTime(Date.from(clock.instant()))
                .expirationTime(Date.from(clock.instant().plus(Duration.ofHours(1))))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("sa-key").build(), claims);
        jwt.sign(new RSASSASigner(key));
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        SecretsSeen.add(jwt.serialize());
        Files.writeString(tmp, jwt.serialize());
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    String start(String rd) {
        return publicUrl + "/oauth2/start" + (rd == null ? "" : "?rd=" + java.net.URLEncoder.encode(rd, java.nio.charset.StandardCharsets.UTF_8));
    }

    String auth() {
        return internalUrl + "/oauth2/auth";
    }

    /** A browser signed in to this service as {@code user}; the stand-in signs in Alice again afterwards. */
    TestBrowser signedInAs(EntraStandIn idp, EntraShapedTokenCallback.User user) {
        try {
            return signedInAsFromNowOn(idp, user);
        } finally {
            idp.claims.signInAs(EntraStandIn.ALICE);
        }
    }

    /**
     * A browser signed in to this service as {@code user}, and the stand-in answering as that user from now on, its
     * refresh grants too (as Entra answers a refresh token with its own user's claims), until the test signs in
     * someone else: for tests of the claims of tokens minted after the sign-in.
     */
    TestBrowser signedInAsFromNowOn(EntraStandIn idp, EntraShapedTokenCallback.User user) {
        idp.claims.signInAs(user);
        TestBrowser b = new TestBrowser(idp.trust());
        b.follow(start("/"));
        org.assertj.core.api.Assertions.assertThat(b.cookies).containsKey(SignInFlowTest.SESSION);
        return b;
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Whether something accepts connections on this loopback port. */
    public static boolean isListening(int port) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String randomKey() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return Base64.getEncoder().encodeToString(k);
    }

    @Override
    public void close() throws Exception {
        server.close().await(10, TimeUnit.SECONDS);
        vertx.close().await(10, TimeUnit.SECONDS);
        metrics.close();
    }
}
