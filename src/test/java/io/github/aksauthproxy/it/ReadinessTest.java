package io.github.aksauthproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /readyz names every reason the service cannot serve; /healthz only says the process is alive. */
class ReadinessTest {
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

    private HttpResponse<String> readyz() {
        return new TestBrowser(idp.trust()).get(service.internalUrl + "/readyz");
    }

    @Test
    void readyWhenTheTokenFileAndTheIdpAreUsable() throws Exception {
        service = ServiceUnderTest.start(idp, dir, new MutableClock(Instant.now()), Map.of());
        HttpResponse<String> r = readyz();
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(r.body()).getBoolean("ready")).isTrue();
        assertThat(new TestBrowser(idp.trust()).get(service.internalUrl + "/healthz").statusCode()).isEqualTo(200);
        assertThat(new TestBrowser(idp.trust()).get(service.publicUrl + "/readyz").statusCode()).isEqualTo(404);
    }

    @Test
    void notReadyWhileTheFederatedTokenFileIsMissing() throws Exception {
        service = ServiceUnderTest.start(idp, dir, new MutableClock(Instant.now()), Map.of());
        Files.delete(service.tokenFile);
        HttpResponse<String> r = readyz();
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(new JsonObject(r.body()).getJsonArray("reasons").encode()).contains("AZURE_FEDERATED_TOKEN_FILE").contains("does not exist");
        assertThat(new TestBrowser(idp.trust()).get(service.internalUrl + "/healthz").statusCode()).isEqualTo(200);
        ServiceUnderTest.writeAssertion(service.tokenFile, "back", service.clock);
        assertThat(readyz().statusCode()).isEqualTo(200);
    }

    @Test
    void notReadyWhileTheFederatedTokenHasExpired() throws Exception {
        service = ServiceUnderTest.start(idp, dir, new MutableClock(Instant.now()), Map.of());
        service.clock.advance(Duration.ofMinutes(61));
        HttpResponse<String> r = readyz();
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("expired");
    }

    @Test
    void notReadyWhileTheFederatedTokenFileIsNotAToken() throws Exception {
        service = ServiceUnderTest.start(idp, dir, new MutableClock(Instant.now()), Map.of());
        Files.writeString(service.tokenFile, "not a jwt");
        HttpResponse<String> r = readyz();
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("does not hold a JWT");
    }

    @Test
    void notReadyWhileDiscoveryCannotBeFetched() throws Exception {
        int closed = ServiceUnderTest.freePort();
        String url = "https://127.0.0.1:" + closed + "/" + EntraStandIn.TENANT + "/v2.0/.well-known/openid-configuration";
        service = ServiceUnderTest.start(idp, dir, new MutableClock(Instant.now()), Map.of("AKS_AUTH_PROXY_OIDC_DISCOVERY_URL", url));
        HttpResponse<String> r = readyz();
        assertThat(r.statusCode()).isEqualTo(503);
        JsonObject body = new JsonObject(r.body());
        assertThat(body.getBoolean("ready")).isFalse();
        assertThat(body.getJsonArray("reasons").encode()).contains("discovery document").contains(String.valueOf(closed));
    }

    @Test
    void notReadyWhileTheSigningKeysCannotBeFetchedThoughDiscoveryCan() throws Exception {
        int closed = ServiceUnderTest.freePort();
        String jwks = "https://127.0.0.1:" + closed + "/" + EntraStandIn.TENANT + "/discovery/v2.0/keys";
        try (LoopbackHttpsServer discovery = new LoopbackHttpsServer((req, got) -> req.response().putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("issuer", idp.issuer()).put("jwks_uri", jwks).encode()))) {
            Path ca = idp.writeCaFile(dir, discovery);
            service = ServiceUnderTest.start(idp, dir, new MutableClock(Instant.now()), Map.of(
                    "AKS_AUTH_PROXY_OIDC_DISCOVERY_URL", discovery.url() + "/" + EntraStandIn.TENANT + "/v2.0/.well-known/openid-configuration",
                    "AKS_AUTH_PROXY_IDP_CA_FILE", ca.toString()));
            HttpResponse<String> r = readyz();
            assertThat(r.statusCode()).isEqualTo(503);
            JsonObject body = new JsonObject(r.body());
            assertThat(body.getBoolean("ready")).isFalse();
            assertThat(body.getJsonArray("reasons").encode()).contains("the identity provider's keys cannot be fetched from " + jwks)
                    .doesNotContain("discovery document");
            assertThat(discovery.received()).as("discovery itself was fetched").isNotEmpty();
        }
    }

    @Test
    void probesWhileDiscoveryIsOnItsWayShareOneFetchOfIt() throws Exception {
        String document = new TestBrowser(idp.trust()).get(idp.discoveryUrl()).body();
        // Discovery answers after a second, so the probes below arrive while the fetch begun at start is on its way.
        try (LoopbackHttpsServer discovery = new LoopbackHttpsServer((req, got) -> io.vertx.core.Vertx.currentContext().owner()
                .setTimer(1_000, t -> req.response().putHeader("Content-Type", "application/json").end(document)))) {
            Path ca = idp.writeCaFile(dir, discovery);
            service = ServiceUnderTest.start(idp, dir, new MutableClock(Instant.now()), Map.of(
                    "AKS_AUTH_PROXY_OIDC_DISCOVERY_URL", discovery.url() + "/" + EntraStandIn.TENANT + "/v2.0/.well-known/openid-configuration",
                    "AKS_AUTH_PROXY_IDP_CA_FILE", ca.toString()));
            java.util.concurrent.ExecutorService probes = java.util.concurrent.Executors.newFixedThreadPool(5);
            try {
                List<java.util.concurrent.Future<HttpResponse<String>>> answers = new java.util.ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    answers.add(probes.submit(this::readyz));
                }
                for (java.util.concurrent.Future<HttpResponse<String>> answer : answers) {
                    assertThat(answer.get(30, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(200);
                }
            } finally {
                probes.shutdownNow();
            }
            assertThat(discovery.received()).as("requests for the discovery document").hasSize(1);
        }
    }
}
