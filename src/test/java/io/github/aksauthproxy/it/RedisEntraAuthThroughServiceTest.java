package io.github.aksauthproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.aksauthproxy.redis.AzureLikeAuthFront;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code AKS_AUTH_PROXY_REDIS_AUTH=entra} through the whole service: {@code serve}'s own wiring gets app-only tokens
 * for {@code https://redis.azure.com/.default} from the IdP stand-in with MSAL4J (client credentials with the
 * workload-identity assertion), and authenticates to a real redis-server as the token's {@code oid}. The stand-in's
 * tokens live 8 s. Redis's ACL user accepts exactly the tokens the stand-in issued (set as they are issued), and
 * {@link AzureLikeAuthFront} (a hand-written stand-in for Azure's Redis front, which cannot run here) closes a
 * connection whose token has expired unless it was re-authenticated. A signed-in browser's requests over several
 * token lifetimes must all succeed, on the connections opened at start.
 */
class RedisEntraAuthThroughServiceTest {
    /** The {@code oid} the stand-in gives app-only tokens (EntraShapedTokenCallback): the service's identity. */
    private static final String SERVICE_OID = "00000000-0000-0000-0000-00000000a11d";
    private static final String ADMIN_PASSWORD = "admin-" + System.nanoTime();
    private static final long LIFETIME_SECONDS = 8;

    @TempDir
    Path dir;

    @Test
    void requestsOverSeveralTokenLifetimesAllSucceedWithoutAReconnect() throws Exception {
        MutableClock clock = new MutableClock(Instant.now());
        // The service's renewal is timed by its clock: this one follows real time, as the tokens' exp does.
        ScheduledExecutorService ticking = Executors.newSingleThreadScheduledExecutor();
        ticking.scheduleAtFixedRate(() -> clock.set(Instant.now()), 0, 50, TimeUnit.MILLISECONDS);
        try (RedisProcess redis = RedisProcess.start();
             EntraStandIn idp = new EntraStandIn()) {
            redis.command("ACL", "SETUSER", "admin", "on", ">" + ADMIN_PASSWORD, "~*", "&*", "+@all");
            redis.command("ACL", "SETUSER", "default", "off");
            Set<String> redisScopes = ConcurrentHashMap.newKeySet();
            List<String> issuedForRedis = java.util.Collections.synchronizedList(new ArrayList<>());
            idp.observeIssuedTokens((grant, body) -> {
                if (grant.equals("client_credentials")) {
                    String token = new JsonObject(body).getString("access_token");
                    issuedForRedis.add(token);
                    RedisProcess.RespClient.callAs(redis.port(), "admin", ADMIN_PASSWORD,
                            "ACL", "SETUSER", SERVICE_OID, "on", ">" + token, "~*", "&*", "+@all");
                }
            });
            idp.tokenLifetime(LIFETIME_SECONDS);
            try (AzureLikeAuthFront front = new AzureLikeAuthFront(redis.port())) {
                ServiceUnderTest service = ServiceUnderTest.start(idp, dir, clock, Map.of(
                        "AKS_AUTH_PROXY_SESSION_STORE", "redis",
                        "AKS_AUTH_PROXY_REDIS_URL", "redis://127.0.0.1:" + front.port(),
                        "AKS_AUTH_PROXY_REDIS_AUTH", "entra",
                        "AKS_AUTH_PROXY_AUTH_RATE_BURST", "0"));
                try {
                    TestBrowser browser = service.signedInAs(idp, EntraStandIn.ALICE);
                    int connectionsAtStart = front.accepted();
                    assertThat(connectionsAtStart).as("connections opened at start (commands, subscriptions)").isBetween(1, 2);

                    List<Integer> statuses = new ArrayList<>();
                    long end = System.nanoTime() + Duration.ofSeconds(3 * LIFETIME_SECONDS + 2).toNanos();
                    while (System.nanoTime() < end) {
                        HttpResponse<String> answer = browser.get(service.auth());
                        statuses.add(answer.statusCode());
                        Thread.sleep(250);
                    }

                    assertThat(statuses).as("every answer over three token lifetimes").hasSizeGreaterThan(50).containsOnly(200);
                    assertThat(issuedForRedis).as("app-only tokens the service asked for").hasSizeGreaterThanOrEqualTo(4)
                            .allSatisfy(t -> assertThat(com.nimbusds.jwt.SignedJWT.parse(t).getJWTClaimsSet().getAudience())
                                    .containsExactly("https://redis.azure.com"));
                    assertThat(front.closedForExpiry()).as("connections Azure would have closed for an expired token").isZero();
                    assertThat(front.accepted()).as("no reconnect").isEqualTo(connectionsAtStart);
                    assertThat(front.authsPerOpenConnection()).allSatisfy(n -> assertThat(n).isGreaterThanOrEqualTo(4));
                    assertThat(Files.readString(redis.dir().resolve("redis.log"))).doesNotContain(issuedForRedis.get(0));
                } finally {
                    service.close();
                }
            }
        } finally {
            ticking.shutdownNow();
        }
    }
}
