package io.github.aksauthproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The rate limits hold across three replicas sharing one Redis: burst B in all, not replicas times B. */
class RedisRateLimitTest {
    @RegisterExtension
    static final RedisReplicas env = new RedisReplicas(3, Map.of("AKS_AUTH_PROXY_AUTH_RATE_BURST", "5",
            "AKS_AUTH_PROXY_AUTH_RATE_PER_SECOND", "1", "AKS_AUTH_PROXY_SIGN_IN_RATE_BURST", "3", "AKS_AUTH_PROXY_SIGN_IN_RATE_PER_MINUTE", "1",
            "AKS_AUTH_PROXY_TRUSTED_PROXIES", "127.0.0.1/32"));

    @Test
    void aUsersRequestsOverThreeReplicasShareOneBurst() {
        TestBrowser browser = env.replica(0).signedInAs(env.idp(), new EntraShapedTokenCallback.User("66666666-2222-4333-8444-555555555555",
                "frank@contoso.example", "Frank Example", List.of()));
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        long started = System.nanoTime();

        List<CompletableFuture<HttpResponse<String>>> calls = IntStream.range(0, 15)
                .mapToObj(i -> http.sendAsync(HttpRequest.newBuilder(URI.create(env.replica(i % 3).auth()))
                        .header("Cookie", browser.cookieHeader()).build(), HttpResponse.BodyHandlers.ofString())).toList();
        List<HttpResponse<String>> answers = calls.stream().map(CompletableFuture::join).toList();
        long wholeSeconds = (System.nanoTime() - started) / 1_000_000_000L;

        long allowed = answers.stream().filter(r -> r.statusCode() == 200).count();
        assertThat(allowed).as("burst 5 in all, plus one per whole second the requests took").isBetween(5L, 5L + wholeSeconds);
        assertThat(answers).filteredOn(r -> r.statusCode() != 200).isNotEmpty().allSatisfy(r -> {
            assertThat(r.statusCode()).isEqualTo(429);
            assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(r.body()).isEqualTo("too many requests");
        });
    }

    @Test
    void signInStartsFromOneAddressOverThreeReplicasShareOneBurst() {
        TestBrowser browser = new TestBrowser(env.idp().trust());
        browser.headers.put("X-Real-IP", "203.0.113.9");

        List<Integer> statuses = IntStream.range(0, 6).mapToObj(i -> browser.get(env.replica(i % 3).start("/")).statusCode()).toList();

        assertThat(statuses).containsExactly(302, 302, 302, 429, 429, 429);
        HttpResponse<String> limited = browser.get(env.replica(1).start("/"));
        assertThat(limited.headers().firstValue("Retry-After")).hasValue("60");
        assertThat(limited.body()).contains("Too many sign-in attempts");
    }

    @Test
    void withTheLimitOnEveryRequestCostsOneScriptCall() {
        TestBrowser browser = env.replica(0).signedInAs(env.idp(), new EntraShapedTokenCallback.User("55555555-2222-4333-8444-555555555555",
                "erin@contoso.example", "Erin Example", List.of()));
        assertThat(browser.get(env.replica(1).auth()).statusCode()).as("the first request, which stores the token").isEqualTo(200);
        long scripts = env.commandCalls("evalsha");

        for (int i = 0; i < 10; i++) {
            assertThat(browser.get(env.replica(1).auth()).statusCode()).isIn(200, 429);
        }

        assertThat(env.commandCalls("evalsha") - scripts).as("script calls for 10 requests").isEqualTo(10);
    }
}
