package io.github.aksauthproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import io.github.aksauthproxy.it.EntraStandIn;
import io.github.aksauthproxy.it.MutableClock;
import io.github.aksauthproxy.it.ServiceUnderTest;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code managed-identity} credential: the token command in a child process whose environment points
 * MSAL4J's App Service managed identity source ({@code IDENTITY_ENDPOINT}, {@code IDENTITY_HEADER}, as App
 * Service and Container Apps set them) at a loopback stand-in for the platform's identity endpoint. A child
 * process because MSAL4J reads the real process environment.
 */
class ManagedIdentityCredentialTest {
    static final String MANAGED_IDENTITY_CLIENT_ID = "9f8e7d6c-5b4a-3928-1706-f5e4d3c2b1a0";
    static final String IDENTITY_HEADER = "identity-header-from-the-platform";

    @TempDir
    Path dir;
    EntraStandIn idp;
    Vertx vertx;
    HttpServer identityEndpoint;
    final List<MultiMap> identityRequests = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        idp = new EntraStandIn();
        // The stand-in IdP ignores assertion signatures but wants sub = client id, so the stand-in's managed identity
        // token says so; Entra would instead check it against the app's federated identity credential.
        Path minted = dir.resolve("managed-identity-token");
        ServiceUnderTest.writeAssertion(minted, "from-managed-identity", new MutableClock(Instant.now()));
        String managedIdentityToken = Files.readString(minted, StandardCharsets.UTF_8);
        vertx = Vertx.vertx();
        identityEndpoint = vertx.createHttpServer().requestHandler(req -> {
            MultiMap seen = MultiMap.caseInsensitiveMultiMap().addAll(req.params()).add("X-IDENTITY-HEADER",
                    String.valueOf(req.getHeader("X-IDENTITY-HEADER")));
            identityRequests.add(seen);
            req.response().putHeader("Content-Type", "application/json").end(new JsonObject()
                    .put("access_token", managedIdentityToken)
                    .put("expires_on", String.valueOf(Instant.now().plusSeconds(3600).getEpochSecond()))
                    .put("resource", "api://AzureADTokenExchange")
                    .put("token_type", "Bearer")
                    .put("client_id", MANAGED_IDENTITY_CLIENT_ID).encode());
        }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
        idp.close();
    }

    @Test
    void managedIdentityTokenIsTheClientAssertion() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(), "token");
        pb.environment().clear();
        pb.environment().putAll(Map.of(
                "AZURE_CLIENT_ID", EntraStandIn.CLIENT_ID,
                "AZURE_TENANT_ID", EntraStandIn.TENANT,
                "AZURE_AUTHORITY_HOST", idp.authorityHost(),
                "AKS_AUTH_PROXY_IDP_CA_FILE", idp.writeCaFile(dir).toString(),
                "AKS_AUTH_PROXY_CREDENTIAL", "managed-identity",
                "AKS_AUTH_PROXY_MANAGED_IDENTITY_CLIENT_ID", MANAGED_IDENTITY_CLIENT_ID,
                "IDENTITY_ENDPOINT", "http://127.0.0.1:" + identityEndpoint.actualPort() + "/msi/token",
                "IDENTITY_HEADER", IDENTITY_HEADER));
        pb.redirectOutput(dir.resolve("stdout").toFile()).redirectError(dir.resolve("stderr").toFile());

        Process process = pb.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String stdout = Files.readString(dir.resolve("stdout"));
        String stderr = Files.readString(dir.resolve("stderr"));
        assertThat(process.exitValue()).as(stdout + stderr).isZero();
        assertThat(stdout).contains("aud:     6dae42f8-4368-4678-94ff-3960e28e3630").contains("azp:     " + EntraStandIn.CLIENT_ID);

        assertThat(identityRequests).singleElement().satisfies(r -> {
            assertThat(r.get("resource")).isEqualTo("api://AzureADTokenExchange");
            assertThat(r.get("client_id")).isEqualTo(MANAGED_IDENTITY_CLIENT_ID);
            assertThat(r.get("X-IDENTITY-HEADER")).isEqualTo(IDENTITY_HEADER);
        });
        List<Map<String, String>> requests = idp.tokenRequests("client_credentials");
        assertThat(requests).hasSize(1);
        assertThat(requests.get(0)).containsEntry("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
        assertThat(SignedJWT.parse(requests.get(0).get("client_assertion")).getJWTClaimsSet().getJWTID()).isEqualTo("from-managed-identity");
    }
}
