package io.github.aksauthproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.aksauthproxy.redis.Within;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** One token cache for three replicas of the service, in a real redis-server, through HTTP. */
class RedisSharedTokensTest {
    @RegisterExtension
    static final RedisReplicas env = new RedisReplicas(3, Map.of("AKS_AUTH_PROXY_AUTH_RATE_BURST", "0"));

    private static int refreshes() {
        return env.idp().tokenRequests("refresh_token").size();
    }

    private static String token(HttpResponse<String> r) {
        assertThat(r.statusCode()).isEqualTo(200);
        return r.headers().firstValue("Authorization").orElseThrow();
    }

    @Test
    void fiftyConcurrentRequestsSpreadOverThreeReplicasMakeExactlyOneTokenRequest() {
        TestBrowser browser = env.signedInAt(0);
        int before = refreshes();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        List<CompletableFuture<HttpResponse<String>>> calls = IntStream.range(0, 50)
                .mapToObj(i -> http.sendAsync(HttpRequest.newBuilder(URI.create(env.replica(i % 3).auth()))
                        .header("Cookie", browser.cookieHeader()).build(), HttpResponse.BodyHandlers.ofString())).toList();
        List<HttpResponse<String>> answers = calls.stream().map(CompletableFuture::join).toList();

        assertThat(answers).extracting(HttpResponse::statusCode).containsOnly(200);
        assertThat(answers.stream().map(RedisSharedTokensTest::token).distinct()).hasSize(1);
        assertThat(refreshes()).as("token requests at the stand-in IdP").isEqualTo(before + 1);
    }

    @Test
    void afterEveryReplicaRestartsActiveUsersTokensComeFromRedisWithoutATokenRequest() throws Exception {
        TestBrowser browser = env.signedInAt(0);
        String minted = token(browser.get(env.replica(0).auth()));
        int before = refreshes();

        env.restartAll();

        for (ServiceUnderTest replica : env.replicas()) {
            assertThat(token(browser.get(replica.auth()))).isEqualTo(minted);
        }
        assertThat(refreshes()).as("token requests at the stand-in IdP").isEqualTo(before);
    }

    @Test
    void aRenewalMintsANewTokenRatherThanTakingTheExpiringOneBackFromRedis() throws Exception {
        env.idp().tokenLifetime(600);
        try {
            TestBrowser browser = env.signedInAt(0);
            String first = token(browser.get(env.replica(0).auth()));
            int before = refreshes();
            env.idp().tokenLifetime(3600);
            env.clock().advance(Duration.ofMinutes(6));
            try {
                assertThat(token(browser.get(env.replica(0).auth()))).as("served while the renewal runs").isEqualTo(first);
                Within.until(Duration.ofSeconds(5), "the renewal's token request", () -> refreshes() == before + 1);
                // The renewal is stored in Redis before replica 0 serves it: from then on replica 1 must find it there.
                Within.until(Duration.ofSeconds(5), "replica 0 to serve the renewed token",
                        () -> !token(browser.get(env.replica(0).auth())).equals(first));

                String renewed = token(browser.get(env.replica(1).auth()));

                assertThat(renewed).as("the renewed token, from Redis").isNotEqualTo(first);
                assertThat(token(browser.get(env.replica(0).auth()))).isEqualTo(renewed);
                assertThat(refreshes()).isEqualTo(before + 1);
            } finally {
                env.clock().advance(Duration.ofMinutes(-6));
            }
        } finally {
            env.idp().tokenLifetime(3600);
        }
    }

    @Test
    void aWarmRequestAsksRedisNothing() throws Exception {
        TestBrowser browser = env.signedInAt(0);
        token(browser.get(env.replica(0).auth()));
        env.answersFromMemory(env.replica(0), browser.cookieHeader());
        long before = env.commandCalls();

        for (int i = 0; i < 100; i++) {
            token(browser.get(env.replica(0).auth()));
        }

        assertThat(env.commandCalls() - before).as("Redis commands for 100 warm requests").isZero();
    }
}
