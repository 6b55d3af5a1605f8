package io.github.aksauthproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fresh sessions do not queue behind a few threads while Entra is slow: their token requests are at the IdP at once,
 * up to AKS_AUTH_PROXY_TOKEN_REQUESTS_IN_FLIGHT, one per session. Counted at the stand-in, which holds every token
 * request until the test lets them go (Entra taking its time).
 */
class TokenRequestsInFlightTest {
    private static final int SESSIONS = 40;

    @TempDir
    Path dir;
    EntraStandIn idp = new EntraStandIn();
    ServiceUnderTest service;

    @AfterEach
    void stop() throws Exception {
        if (service != null) {
            service.close();
        }
        idp.close();
    }

    @Test
    void fortyFreshSessionsHaveTheirTokenRequestsAtTheIdpAtOnce() throws Exception {
        service = ServiceUnderTest.start(idp, dir, new MutableClock(Instant.now()), Map.of());
        List<String> cookies = signIns(SESSIONS);
        CountDownLatch entraAnswers = idp.holdTokenRequests();

        List<CompletableFuture<HttpResponse<String>>> calls = authCalls(cookies);

        assertThat(within(Duration.ofSeconds(10), () -> idp.tokenRequestsHeld() == SESSIONS))
                .as("all %d token requests at the IdP at once (held: %d)", SESSIONS, idp.tokenRequestsHeld()).isTrue();
        entraAnswers.countDown();
        assertEveryAnswerIs200WithItsOwnToken(calls);
        assertThat(idp.tokenRequests("refresh_token")).hasSize(SESSIONS);
        assertThat(idp.peakTokenRequestsHeld()).isEqualTo(SESSIONS);
    }

    @Test
    void theSettingBoundsTheTokenRequestsAtTheIdpAndTheRestWaitTheirTurn() throws Exception {
        service = ServiceUnderTest.start(idp, dir, new MutableClock(Instant.now()), Map.of("AKS_AUTH_PROXY_TOKEN_REQUESTS_IN_FLIGHT", "10"));
        List<String> cookies = signIns(SESSIONS);
        CountDownLatch entraAnswers = idp.holdTokenRequests();

        List<CompletableFuture<HttpResponse<String>>> calls = authCalls(cookies);

        assertThat(within(Duration.ofSeconds(10), () -> idp.tokenRequestsHeld() == 10)).as("10 token requests at the IdP").isTrue();
        assertThat(within(Duration.ofMillis(700), () -> idp.tokenRequestsHeld() > 10)).as("an eleventh token request while 10 are held").isFalse();
        assertThat(calls).noneMatch(CompletableFuture::isDone);
        entraAnswers.countDown();
        assertEveryAnswerIs200WithItsOwnToken(calls);
        assertThat(idp.tokenRequests("refresh_token")).as("every waiting session's request made once, none dropped").hasSize(SESSIONS);
        assertThat(idp.peakTokenRequestsHeld()).isEqualTo(10);
    }

    private List<String> signIns(int n) {
        return IntStream.range(0, n).mapToObj(i -> {
            TestBrowser b = new TestBrowser(idp.trust());
            b.follow(service.start("/"));
            assertThat(b.cookies).containsKey(SignInFlowTest.SESSION);
            return b.cookieHeader();
        }).toList();
    }

    private List<CompletableFuture<HttpResponse<String>>> authCalls(List<String> cookies) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        return cookies.stream().map(c -> http.sendAsync(HttpRequest.newBuilder(URI.create(service.auth())).header("Cookie", c)
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString())).toList();
    }

    private static void assertEveryAnswerIs200WithItsOwnToken(List<CompletableFuture<HttpResponse<String>>> calls) {
        List<HttpResponse<String>> answers = calls.stream().map(CompletableFuture::join).toList();
        assertThat(answers).extracting(HttpResponse::statusCode).containsOnly(200);
        assertThat(answers.stream().map(r -> r.headers().firstValue("Authorization").orElseThrow()))
                .allMatch(h -> h.startsWith("Bearer ey")).doesNotHaveDuplicates();
    }

    /** Whether {@code condition} holds at some point within {@code timeout} (polled every 10 ms). */
    private static boolean within(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(10);
        }
        return condition.getAsBoolean();
    }
}
