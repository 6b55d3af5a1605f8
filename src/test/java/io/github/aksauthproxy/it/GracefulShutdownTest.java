package io.github.aksauthproxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rolling restart drops no request (issue 13, found by the fault harness): on SIGTERM /readyz fails at once while
 * requests are still answered for the shutdown delay, so Kubernetes and the ingress move away first, and a request in
 * flight when the listeners close still gets its answer.
 */
class GracefulShutdownTest {
    static EntraStandIn idp;
    @TempDir
    static Path dir;
    ServiceUnderTest service;

    @BeforeAll
    static void idp() {
        idp = new EntraStandIn();
    }

    @AfterAll
    static void stopIdp() {
        idp.close();
    }

    @AfterEach
    void stop() throws Exception {
        service.close();
    }

    private TestBrowser signedIn() {
        TestBrowser b = new TestBrowser(idp.trust());
        b.follow(service.start("/"));
        assertThat(b.cookies).containsKey(SignInFlowTest.SESSION);
        return b;
    }

    @Test
    void afterSigtermReadinessFailsAtOnceWhileRequestsAreStillAnswered() throws Exception {
        service = ServiceUnderTest.start(idp, dir, new MutableClock(Instant.now()), Map.of());
        TestBrowser b = signedIn();
        assertThat(b.get(service.auth()).statusCode()).isEqualTo(200);

        Future<Void> stopping = service.server.shutdown(Duration.ofSeconds(3));

        HttpResponse<String> ready = b.get(service.internalUrl + "/readyz");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(new JsonObject(ready.body()).getJsonArray("reasons").encode()).contains("shutting down");
        HttpResponse<String> auth = b.get(service.auth());
        assertThat(auth.statusCode()).isEqualTo(200);
        assertThat(auth.headers().firstValue("Authorization")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer "));

        stopping.await(30, TimeUnit.SECONDS);
        assertThatThrownBy(() -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", service.config.internalPort()), 1_000);
            }
        }).as("the internal listener after the shutdown").isInstanceOf(java.io.IOException.class);
    }

    @Test
    void aRequestInFlightWhenTheListenersCloseIsAnswered() throws Exception {
        service = ServiceUnderTest.start(idp, dir, new MutableClock(Instant.now()), Map.of());
        TestBrowser b = signedIn();
        CountDownLatch entraAnswers = idp.holdTokenRequests();
        CompletableFuture<HttpResponse<String>> waiting;
        Future<Void> stopping;
        try {
            // The session's first token: a request to Entra, held there while the service stops.
            waiting = CompletableFuture.supplyAsync(() -> b.get(service.auth()));
            awaitTokenRequestInFlight(b, Duration.ofSeconds(10));
            stopping = service.server.shutdown(Duration.ZERO);
            TimeUnit.MILLISECONDS.sleep(500);
        } finally {
            entraAnswers.countDown();
        }
        HttpResponse<String> answered = waiting.get(20, TimeUnit.SECONDS);
        assertThat(answered.statusCode()).isEqualTo(200);
        assertThat(answered.headers().firstValue("Authorization")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer "));
        stopping.await(30, TimeUnit.SECONDS);
    }

    private void awaitTokenRequestInFlight(TestBrowser b, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (b.get(service.internalUrl + "/metrics").body().lines().anyMatch(l -> l.equals("aks_auth_proxy_token_requests_in_flight 1.0"))) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        throw new AssertionError("no token request reached the stand-in within " + timeout);
    }
}
