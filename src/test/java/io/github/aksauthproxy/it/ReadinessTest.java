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

/**
 * /readyz keeps a replica out of the Service until its checks first pass, naming every reason; after that a failing
 * check is reported as degraded with 200 (the Readiness class says why). /healthz only says the process is alive.
 */
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
    void notReadyAtStartWhileTheFederatedTokenFileIsMissingThenReadyOnceItIsThere() throws Exception {
        Path notYet = dir.resolve("mounted-later");
        service = ServiceUnderTest.start(idp, dir, new MutableClock(Instant.now()), Map.of("AZURE_FEDERATED_TOKEN_FILE", notYet.toString()));
        HttpResponse<String> r = readyz();
        assertThat(r.statusCode()).isEqualTo(503);
        JsonObject body = new JsonObject(r.body());
        assertThat(body.getBoolean("ready")).isFalse();
        assertThat(body.getJsonArray("reasons").encode()).contains("AZURE_FEDERATED_TOKEN_FILE").contains("does not exist");
        assertThat(body.containsKey("degraded")).isFalse();
        assertThat(new TestBrowser(idp.trust()).get(service.internalUrl + "/healthz").statusCode()).isEqualTo(200);

        ServiceUnderTest.writeAssertion(notYet, "mounted", service.clock);
        assertThat(readyz().statusCode()).isEqualTo(200);
    }

    /** A service that has passed its checks once. */
    private void startReady() throws Exception {
        service = ServiceUnderTest.start(idp, dir, new MutableClock(Instant.now()), Map.of());
        assertThat(readyz().statusCode()).isEqualTo(200);
    }

    /** /readyz of a service that was ready: still 200 and ready, its problems under "degraded" only. */
    private String degraded() {
        HttpResponse<String> r = readyz();
        assertThat(r.statusCode()).isEqualTo(200);
        JsonObject body = new JsonObject(r.body());
        assertThat(body.getBoolean("ready")).isTrue();
        assertThat(body.containsKey("reasons")).isFalse();
        return body.getJsonArray("degraded").encode();
    }

    /** A token file the kubelet is rewriting is shared trouble: every replica would leave the Service at once. */
    @Test
    void onceReadyAMissingFederatedTokenFileIsReportedAsDegradedNotAsNotReady() throws Exception {
        startReady();
        Files.delete(service.tokenFile);
        assertThat(degraded()).contains("AZURE_FEDERATED_TOKEN_FILE").contains("does not exist");

        ServiceUnderTest.writeAssertion(service.tokenFile, "back", service.clock);
        HttpResponse<String> fixed = readyz();
        assertThat(fixed.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(fixed.body())).isEqualTo(new JsonObject().put("ready", true));
    }

    @Test
    void onceReadyAnExpiredFederatedTokenIsReportedAsDegraded() throws Exception {
        startReady();
        service.clock.advance(Duration.ofMinutes(61));
        assertThat(degraded()).contains("expired");
    }

    @Test
    void onceReadyAFederatedTokenFileThatIsNotATokenIsReportedAsDegraded() throws Exception {
        startReady();
        Files.writeString(service.tokenFile, "not a jwt");
        assertThat(degraded()).contains("does not hold a JWT");
    }

    @Test
    void notReadyAtStartWhileDiscoveryCannotBeFetched() throws Exception {
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
    void notReadyAtStartWhileTheSigningKeysCannotBeFetchedThoughDiscoveryCan() throws Exception {
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
