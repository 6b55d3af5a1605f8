package io.github.aksauthproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bearer passthrough in each Entra cloud: the service discovers the cloud's v2 issuer, and accepts tokens with the
 * v1 and v2 issuers Microsoft publishes for that cloud (AKS tokens are v1), and no other cloud's. The discovery
 * document is served on loopback with the cloud's issuer; the keys are the stand-in's, which signs the tokens.
 */
class BearerIssuersPerCloudTest {
    static final String AKS_APP_ID = "6dae42f8-4368-4678-94ff-3960e28e3630";
    static final String T = EntraStandIn.TENANT;
    @TempDir
    static Path dir;
    static EntraStandIn idp;
    static LoopbackHttpsServer discovery;
    static Path caFile;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        idp = new EntraStandIn();
        // GET /<issuer host>/<tenant>/v2.0/.well-known/openid-configuration: the document Entra serves in that cloud.
        discovery = new LoopbackHttpsServer((req, got) -> {
            String[] path = URI.create(got.uri()).getPath().split("/");
            req.response().putHeader("Content-Type", "application/json").end(new JsonObject()
                    .put("issuer", "https://" + path[1] + "/" + path[2] + "/v2.0")
                    .put("jwks_uri", idp.server.jwksUrl(T + "/oauth2/v2.0").toString()).encode());
        });
        caFile = idp.writeCaFile(dir, discovery);
    }

    @AfterAll
    static void stop() throws Exception {
        discovery.close();
        idp.close();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // cloud's v2 issuer host (what discovery names), its v1 issuer, its v2 issuer, another cloud's issuer
        "login.microsoftonline.com, https://sts.windows.net/{t}/, https://login.microsoftonline.com/{t}/v2.0, https://sts.chinacloudapi.cn/{t}/",
        "login.microsoftonline.us, https://sts.windows.net/{t}/, https://login.microsoftonline.us/{t}/v2.0, https://login.microsoftonline.com/{t}/v2.0",
        "login.partner.microsoftonline.cn, https://sts.chinacloudapi.cn/{t}/, https://login.partner.microsoftonline.cn/{t}/v2.0, https://sts.windows.net/{t}/",
        "login.chinacloudapi.cn, https://sts.chinacloudapi.cn/{t}/, https://login.partner.microsoftonline.cn/{t}/v2.0, https://login.microsoftonline.us/{t}/v2.0",
    })
    void tokensWithTheCloudsPublishedIssuersPassAndAnotherCloudsDoNot(String host, String v1, String v2, String otherCloud) throws Exception {
        try (ServiceUnderTest service = ServiceUnderTest.start(idp, dir, new MutableClock(Instant.now()), Map.of(
                "AKS_AUTH_PROXY_OIDC_DISCOVERY_URL", discovery.url() + "/" + host + "/" + T + "/v2.0/.well-known/openid-configuration",
                "AKS_AUTH_PROXY_IDP_CA_FILE", caFile.toString()))) {
            assertThat(status(service, v1.replace("{t}", T))).as("v1 (AKS) token").isEqualTo(200);
            assertThat(status(service, v2.replace("{t}", T))).as("v2 token").isEqualTo(200);
            try (LogCapture logs = new LogCapture()) {
                assertThat(status(service, otherCloud.replace("{t}", T))).as("another cloud's issuer").isEqualTo(401);
                assertThat(logs.lines()).anyMatch(l -> l.contains("event=bearer.rejected") && l.contains("iss claim is not an accepted issuer"));
            }
        }
    }

    private static int status(ServiceUnderTest service, String issuer) throws Exception {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", issuer);
        claims.put("aud", AKS_APP_ID);
        claims.put("sub", "kubelogin");
        claims.put("tid", T);
        claims.put("oid", "99999999-2222-3333-4444-555555555555");
        claims.put("upn", "bob@contoso.example");
        String token = SecretsSeen.recorded(idp.server.getConfig().getTokenProvider().jwt(claims, Duration.ofHours(1), T + "/oauth2/v2.0").serialize());
        return http.send(HttpRequest.newBuilder(URI.create(service.auth())).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
