package io.github.aksauthproxy.redis;

import static io.github.aksauthproxy.redis.RedisSessionsTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.github.aksauthproxy.config.RedisConfig;
import io.github.aksauthproxy.entra.AccessToken;
import io.github.aksauthproxy.it.RedisProcess;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code AKS_AUTH_PROXY_REDIS_AUTH=entra} against a real redis-server whose ACL user (the identity's object id) accepts
 * exactly the tokens the test's token source issued, behind a front that closes a connection once the token it last
 * authenticated with has expired, as Azure does.
 */
class EntraRedisReauthenticationTest {
    private static final String OID = "5d1f7a3e-0c7b-4a39-9a5e-2b8c4d6e8f01";
    private static final String CLIENT_ID = "11111111-2222-3333-4444-555555555555";
    private static final String ADMIN_PASSWORD = "admin-" + System.nanoTime();
    private RedisProcess server;
    private AzureLikeAuthFront front;

    @BeforeEach
    void start() throws Exception {
        server = RedisProcess.start();
        server.command("ACL", "SETUSER", "admin", "on", ">" + ADMIN_PASSWORD, "~*", "&*", "+@all");
        server.command("ACL", "SETUSER", "default", "off");   // only the token user and the test's admin get in
        front = new AzureLikeAuthFront(server.port());
    }

    @AfterEach
    void stop() throws Exception {
        front.close();
        server.close();
    }

    /** Issues JWTs for the object id that live {@code lifetime}, and makes each one a valid password of that ACL user. */
    private final class ShortLivedTokens implements AppTokenSource {
        private final Duration lifetime;
        private final byte[] signingKey = RedisSessionsTest.bytes(32);
        private final AtomicInteger issued = new AtomicInteger();
        private final Set<String> scopes = ConcurrentHashMap.newKeySet();

        ShortLivedTokens(Duration lifetime) {
            this.lifetime = lifetime;
        }

        @Override
        public CompletionStage<AccessToken> acquire(String scope) {
            scopes.add(scope);
            Instant exp = Instant.now().plus(lifetime).truncatedTo(ChronoUnit.SECONDS);
            String jwt = jwt(exp);
            RedisProcess.RespClient.callAs(server.port(), "admin", ADMIN_PASSWORD, "ACL", "SETUSER", OID, "on", ">" + jwt, "~*", "&*", "+@all");
            issued.incrementAndGet();
            return CompletableFuture.completedFuture(new AccessToken(jwt, exp));
        }

        String jwt(Instant exp) {
            try {
                SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder()
                        .audience("https://redis.azure.com").claim("oid", OID).claim("appid", CLIENT_ID)
                        .issueTime(new Date()).expirationTime(Date.from(exp)).jwtID(String.valueOf(issued.get())).build());
                jwt.sign(new MACSigner(signingKey));
                return jwt.serialize();
            } catch (com.nimbusds.jose.JOSEException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void frontClosesAConnectionOnceItsTokenHasExpired() throws Exception {
        ShortLivedTokens tokens = new ShortLivedTokens(Duration.ofSeconds(2));
        String token = await(tokens.acquire(EntraRedisCredentials.SCOPE)).value();
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), front.port())) {
            s.setSoTimeout(6000);
            OutputStream out = s.getOutputStream();
            String auth = "*3\r\n$4\r\nAUTH\r\n$" + OID.length() + "\r\n" + OID + "\r\n$" + token.length() + "\r\n" + token + "\r\n";
            out.write(auth.getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            assertThat(new String(in.readNBytes(5), StandardCharsets.US_ASCII)).isEqualTo("+OK\r\n");

            long t0 = System.nanoTime();
            assertThat(in.read()).as("the front closes the connection").isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(4));
        }
        assertThat(front.closedForExpiry()).isEqualTo(1);
    }

    @Test
    void requestsOverSeveralTokenLifetimesAllSucceedOnTheSameConnections() throws Exception {
        Duration lifetime = Duration.ofSeconds(12);
        ShortLivedTokens tokens = new ShortLivedTokens(lifetime);
        RedisConfig config = new RedisConfig(new RedisConfig.Standalone(new RedisConfig.Endpoint("127.0.0.1", front.port()), 0), false,
                Optional.empty(), Optional.empty(), Optional.empty(), RedisConfig.Auth.ENTRA);
        // Azure's lead is 3 minutes on hour-long tokens; scaled to 12-second tokens: renew 3-4 s ahead.
        try (EntraRedisCredentials credentials = new EntraRedisCredentials(tokens, Clock.systemUTC(),
                new EntraRedisCredentials.Renewal(Duration.ofSeconds(3), Duration.ofSeconds(1), Duration.ofSeconds(1)));
             LettuceRedis redis = LettuceRedis.create(config, Optional.of(credentials), Redis.Timeouts.DEFAULT, RedisFailureLog.everyTenSeconds())) {
            Set<String> heard = ConcurrentHashMap.newKeySet();
            AtomicInteger subscribed = new AtomicInteger();
            redis.subscribe("ticks", new Redis.ChannelListener() {
                @Override
                public void message(String message) {
                    heard.add(message);
                }

                @Override
                public void subscribed() {
                    subscribed.incrementAndGet();
                }
            });
            Within.until(Duration.ofSeconds(5), "the subscription", () -> subscribed.get() == 1);

            int requests = 0;
            int published = 0;
            long end = System.nanoTime() + lifetime.multipliedBy(3).plusSeconds(4).toNanos();
            while (System.nanoTime() < end) {
                byte[] value = ("v" + requests).getBytes(StandardCharsets.US_ASCII);
                await(redis.set("k" + requests, value, Duration.ofMinutes(1)));
                assertThat(await(redis.get("k" + requests))).hasValueSatisfying(v -> assertThat(v).isEqualTo(value));
                if (requests % 4 == 0) {
                    await(redis.publish("ticks", "tick-" + published++));
                }
                requests++;
                Thread.sleep(250);
            }
            int sent = published;
            Within.until(Duration.ofSeconds(1), "every tick to arrive", () -> heard.size() == sent);

            assertThat(tokens.scopes).containsExactly("https://redis.azure.com/.default");
            assertThat(tokens.issued.get()).as("tokens issued over %d requests", requests).isGreaterThanOrEqualTo(4);
            assertThat(front.accepted()).as("connections: one for commands, one for subscriptions, never a reconnect").isEqualTo(2);
            assertThat(front.closedForExpiry()).isZero();
            assertThat(front.authsPerOpenConnection()).hasSize(2).allSatisfy(n -> assertThat(n).isGreaterThanOrEqualTo(4));
            assertThat(subscribed.get()).isEqualTo(1);
            assertThat(redis.failures().count(RedisUnavailable.Reason.UNREACHABLE) + redis.failures().count(RedisUnavailable.Reason.AUTHENTICATION))
                    .isZero();
        }
    }

    @Test
    void renewalIsAtLeastTheLeadAheadAndAtMostHalfTheLife() {
        EntraRedisCredentials.Renewal azure = EntraRedisCredentials.Renewal.DEFAULT;
        Instant now = Instant.parse("2026-03-01T10:00:00Z");
        Clock fixed = Clock.fixed(now, java.time.ZoneOffset.UTC);
        for (double r : List.of(0.0, 0.5, 0.999)) {
            EntraRedisCredentials c = new EntraRedisCredentials(scope -> null, fixed, azure, new java.util.Random() {
                @Override
                public double nextDouble() {
                    return r;
                }
            });
            Duration in = c.renewIn(now.plus(Duration.ofMinutes(75)));
            assertThat(in).isBetween(Duration.ofMinutes(70), Duration.ofMinutes(72));
            assertThat(c.renewIn(now.plus(Duration.ofMinutes(4)))).isEqualTo(Duration.ofMinutes(2));
        }
    }
}
