package io.github.aksauthproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import io.github.aksauthproxy.it.EntraStandIn;
import io.github.aksauthproxy.it.LoopbackHttpsServer;
import io.github.aksauthproxy.it.MutableClock;
import io.github.aksauthproxy.it.ServiceUnderTest;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The {@code token} command against the stand-in IdP, as someone checking their workload identity would run it. */
class TokenCommandTest {
    static final String AKS_SCOPE = "6dae42f8-4368-4678-94ff-3960e28e3630/.default";
    /** Two dot-separated base64url runs: what any whole (or mostly whole) JWT in the output would look like. */
    static final Pattern JWT_SHAPED = Pattern.compile("[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]{10,}");

    @TempDir
    Path dir;
    EntraStandIn idp;
    final MutableClock clock = new MutableClock(Instant.now());
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    Path tokenFile;

    @BeforeEach
    void start() throws Exception {
        idp = new EntraStandIn();
        tokenFile = dir.resolve("azure-identity-token");
        ServiceUnderTest.writeAssertion(tokenFile, "first", clock);
    }

    @AfterEach
    void stop() {
        idp.close();
    }

    private Map<String, String> env(String authorityHost, Path caFile) {
        Map<String, String> env = new HashMap<>();
        env.put("AZURE_CLIENT_ID", EntraStandIn.CLIENT_ID);
        env.put("AZURE_TENANT_ID", EntraStandIn.TENANT);
        env.put("AZURE_FEDERATED_TOKEN_FILE", tokenFile.toString());
        env.put("AZURE_AUTHORITY_HOST", authorityHost);
        env.put("AKS_AUTH_PROXY_IDP_CA_FILE", caFile.toString());
        return env;
    }

    private int run(Map<String, String> env, String... args) {
        CommandLine cl = new CommandLine(new TokenCommand(env, clock));
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    private static String line(String text, String label) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(label) + " +(.*)$").matcher(text);
        assertThat(m.find()).as("a line starting with " + label + " in:\n" + text).isTrue();
        return m.group(1);
    }

    @Test
    void successPrintsTheExpiryATruncatedTokenAndItsClaims() throws Exception {
        assertThat(run(env(idp.authorityHost(), idp.writeCaFile(dir)))).isZero();
        String text = out.toString();
        assertThat(err.toString()).isEmpty();
        assertThat(line(text, "scope:")).isEqualTo(AKS_SCOPE);
        assertThat(line(text, "aud:")).isEqualTo("6dae42f8-4368-4678-94ff-3960e28e3630");
        assertThat(line(text, "iss:")).isEqualTo(idp.issuer());
        assertThat(line(text, "azp:")).isEqualTo(EntraStandIn.CLIENT_ID);
        assertThat(line(text, "tid:")).isEqualTo(EntraStandIn.TENANT);
        Instant exp = Instant.ofEpochSecond(Long.parseLong(line(text, "exp:")));
        Matcher expires = Pattern.compile("^(\\S+) \\(in (\\d+)m(\\d+)s\\)$").matcher(line(text, "expires:"));
        assertThat(expires.matches()).as(line(text, "expires:")).isTrue();
        assertThat(Duration.between(Instant.parse(expires.group(1)), exp).abs()).isLessThan(Duration.ofSeconds(5));
        assertThat(Integer.parseInt(expires.group(2))).isBetween(58, 61);
        assertThat(line(text, "token:")).matches("eyJ[A-Za-z0-9_-]{13}\\.\\.\\. \\(\\d{3,5} characters, truncated\\)");
        assertThat(JWT_SHAPED.matcher(text).find()).as("no token in the output:\n" + text).isFalse();

        List<Map<String, String>> requests = idp.tokenRequests("client_credentials");
        assertThat(requests).hasSize(1);
        assertThat(requests.get(0).get("scope").split(" ")).contains(AKS_SCOPE);
        assertThat(SignedJWT.parse(requests.get(0).get("client_assertion")).getJWTClaimsSet().getJWTID()).isEqualTo("first");
    }

    @Test
    void jsonOutputCarriesTheSameFactsAndStillNoToken() throws Exception {
        Map<String, String> env = env(idp.authorityHost(), idp.writeCaFile(dir));
        env.put("AZURE_SCOPE", "api://my-api/.default");
        assertThat(run(env, "--output", "json")).isZero();
        JsonObject json = new JsonObject(out.toString());
        assertThat(json.fieldNames()).containsExactlyInAnyOrder("scope", "expires_on", "expires_in", "token", "claims");
        assertThat(json.getString("scope")).isEqualTo("api://my-api/.default");
        assertThat(json.getLong("expires_in")).isBetween(3500L, 3700L);
        assertThat(json.getJsonObject("token").getString("preview")).matches("eyJ[A-Za-z0-9_-]{13}\\.\\.\\.");
        assertThat(json.getJsonObject("token").getInteger("length")).isGreaterThan(100);
        JsonObject claims = json.getJsonObject("claims");
        assertThat(claims.getString("aud")).isEqualTo("api://my-api");
        assertThat(claims.getString("iss")).isEqualTo(idp.issuer());
        assertThat(claims.getString("azp")).isEqualTo(EntraStandIn.CLIENT_ID);
        assertThat(Instant.ofEpochSecond(claims.getLong("exp"))).isCloseTo(Instant.parse(json.getString("expires_on")),
                org.assertj.core.api.Assertions.within(5, java.time.temporal.ChronoUnit.SECONDS));
        assertThat(JWT_SHAPED.matcher(out.toString()).find()).isFalse();
    }

    @Test
    void aadstsErrorFromEntraIsNamedExplainedAndExitsOne() throws Exception {
        // Stands in for Entra's token endpoint answering an unknown application (its real error body shape).
        String entraError = new JsonObject()
                .put("error", "unauthorized_client")
                .put("error_description", "AADSTS700016: Application with identifier '" + EntraStandIn.CLIENT_ID + "' was not found in the "
                        + "directory 'Contoso'. This can happen if the application has not been installed by the administrator of the tenant "
                        + "or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant. "
                        + "Trace ID: 0b5f6f2e-1111-2222-3333-444444444444 Correlation ID: 5d3c1f2e-5555-6666-7777-888888888888 "
                        + "Timestamp: 2026-01-01 00:00:00Z")
                .put("error_codes", new io.vertx.core.json.JsonArray().add(700016))
                .put("timestamp", "2026-01-01 00:00:00Z")
                .put("trace_id", "0b5f6f2e-1111-2222-3333-444444444444")
                .put("correlation_id", "5d3c1f2e-5555-6666-7777-888888888888")
                .put("error_uri", "https://login.microsoftonline.com/error?code=700016").encode();
        try (LoopbackHttpsServer entra = new LoopbackHttpsServer((req, got) -> req.response().setStatusCode(400)
                .putHeader("Content-Type", "application/json; charset=utf-8").end(entraError))) {
            assertThat(run(env(entra.url() + "/", entra.caFile()))).isEqualTo(1);
            assertThat(entra.received()).singleElement().satisfies(r -> {
                assertThat(r.method()).isEqualTo("POST");
                assertThat(r.uri()).isEqualTo("/" + EntraStandIn.TENANT + "/oauth2/v2.0/token");
            });
        }
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString())
                .startsWith("no token for scope " + AKS_SCOPE + " (client " + EntraStandIn.CLIENT_ID + ", tenant " + EntraStandIn.TENANT
                        + ", credential workload-identity): Entra refused the token request (unauthorized_client)\n")
                .contains("  AADSTS700016: the application id is not found in the tenant; check AZURE_CLIENT_ID and AZURE_TENANT_ID\n");
    }

    @Test
    void unreachableIdpExitsOneAndSaysWhatToCheck() throws Exception {
        Map<String, String> env = env(idp.authorityHost(), idp.writeCaFile(dir));
        idp.close();
        assertThat(run(env)).isEqualTo(1);
        assertThat(err.toString()).contains("Entra could not be reached")
                .contains("check that " + idp.authorityHost() + EntraStandIn.TENANT + "/ is reachable from here");
    }

    @Test
    void badConfigurationNamesEachVariableAndNeedsNoServeSettings() {
        Map<String, String> env = env(idp.authorityHost(), idp.writeCaFile(dir));
        env.remove("AZURE_CLIENT_ID");
        env.put("AZURE_FEDERATED_TOKEN_FILE", dir.resolve("not-mounted").toString());
        assertThat(run(env)).isEqualTo(1);
        assertThat(err.toString()).startsWith("The configuration has 2 problems:")
                .contains("  - AZURE_CLIENT_ID: is required")
                .contains("  - AZURE_FEDERATED_TOKEN_FILE: cannot read '" + dir.resolve("not-mounted") + "'")
                .doesNotContain("AKS_AUTH_PROXY_REDIRECT_URL").doesNotContain("AKS_AUTH_PROXY_COOKIE_SECRETS");
        assertThat(idp.tokenRequests("client_credentials")).isEmpty();
    }
}
