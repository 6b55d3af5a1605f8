package io.github.aksauthproxy.it;

import io.github.aksauthproxy.http.AuthProxyServer;
import io.github.aksauthproxy.config.ConfigLoader;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the service locally against the stand-in IdP (mock-oauth2-server over HTTPS, in this JVM), for trying it
 * out: {@code mvn -q test-compile exec:java}. The stand-in signs everyone in as a demo user without a login page.
 * Lives in the test tree so the production jar never contains the stand-in.
 */
public final class LocalDev {
    private static final Logger LOG = LoggerFactory.getLogger(LocalDev.class);

    private LocalDev() {
    }

    public static void main(String[] args) throws Exception {
        EntraStandIn idp = new EntraStandIn();
        Path dir = Files.createTempDirectory("aks-auth-proxy-dev");
        Path tokenFile = dir.resolve("azure-identity-token");
        ServiceUnderTest.writeAssertion(tokenFile, "local", new MutableClock(Instant.now()));
        Map<String, String> env = new HashMap<>();
        env.put("AZURE_CLIENT_ID", EntraStandIn.CLIENT_ID);
        env.put("AZURE_TENANT_ID", EntraStandIn.TENANT);
        env.put("AZURE_FEDERATED_TOKEN_FILE", tokenFile.toString());
        env.put("AZURE_AUTHORITY_HOST", idp.authorityHost());
        env.put("AKS_AUTH_PROXY_OIDC_DISCOVERY_URL", idp.discoveryUrl());
        env.put("AKS_AUTH_PROXY_IDP_CA_FILE", idp.writeCaFile(dir).toString());
        env.put("AKS_AUTH_PROXY_REDIRECT_URL", "http://localhost:4180/oauth2/callback");
        env.put("AKS_AUTH_PROXY_COOKIE_SECRETS", ServiceUnderTest.KEY_1);
        env.put("AKS_AUTH_PROXY_LISTEN_ADDRESS", "127.0.0.1");
        Vertx vertx = Vertx.vertx();
        AuthProxyServer server = AuthProxyServer.start(vertx, ConfigLoader.load(env), Clock.systemUTC(), new SecureRandom(),
                Optional.of(new EntraLikeHttpClient(idp.trust()))).await(30, TimeUnit.SECONDS);
        LOG.info("""

                aks-auth-proxy runs locally against a stand-in for Entra ID at {}
                  sign in:      http://localhost:4180/oauth2/start?rd=/oauth2/userinfo
                  auth check:   curl -i --cookie '<the __Host-aks-auth-proxy cookie>' http://127.0.0.1:4181/oauth2/auth
                  readiness:    curl http://127.0.0.1:4181/readyz
                Ctrl-C stops it.""", idp.authorityHost());
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close().compose(x -> vertx.close()).await(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                // stopping anyway
            }
            idp.close();
            stop.countDown();
        }));
        stop.await();
    }
}
