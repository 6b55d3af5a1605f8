package io.github.aksauthproxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class ConfigLoaderTest {
    static final String KEY = "q6QJ0h2Q7yqgC3q0mO6j5bVqgW9m9r2wXo4zq0W2k3E=";
    @TempDir
    Path dir;

    public static Map<String, String> minimal() {
        Map<String, String> env = new HashMap<>();
        env.put("AZURE_CLIENT_ID", "3c1f5f0e-9a4e-4b8e-a7f5-1d2b3c4d5e6f");
        env.put("AZURE_TENANT_ID", "72f988bf-86f1-41af-91ab-2d7cd011db47");
        env.put("AZURE_FEDERATED_TOKEN_FILE", "/var/run/secrets/azure/tokens/azure-identity-token");
        env.put("AKS_AUTH_PROXY_REDIRECT_URL", "https://apps.example.com/oauth2/callback");
        env.put("AKS_AUTH_PROXY_COOKIE_SECRETS", KEY);
        return env;
    }

    static List<String> problems(Map<String, String> env) {
        try {
            ConfigLoader.load(env);
        } catch (InvalidConfigException e) {
            return e.problems().stream().map(ConfigProblem::toString).toList();
        }
        return List.of();
    }

    @Test
    void minimalWorkloadIdentityConfigurationGetsTheDocumentedDefaults() throws Exception {
        Config c = ConfigLoader.load(minimal());
        assertThat(c.credential()).isEqualTo(CredentialKind.WORKLOAD_IDENTITY);
        assertThat(c.publicPort()).isEqualTo(4180);
        assertThat(c.internalPort()).isEqualTo(4181);
        assertThat(c.listenAddress()).isEqualTo("0.0.0.0");
        assertThat(c.sessionLifetime()).isEqualTo(Duration.ofHours(12));
        assertThat(c.sessionIdleTimeout()).isEqualTo(Duration.ofHours(1));
        assertThat(c.authority()).isEqualTo("https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/");
        assertThat(c.discoveryUrl()).hasToString(
                "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0/.well-known/openid-configuration");
        assertThat(c.allowedRedirectDomains()).containsExactly("apps.example.com");
        assertThat(c.cookieDomain()).isEmpty();
        assertThat(c.groupsHeaderLimit()).isEqualTo(100);
        assertThat(c.idpSignOut()).isFalse();
        assertThat(c.profiles()).containsOnlyKeys("aks");
        assertThat(c.profiles().get("aks").scopes()).containsExactly("6dae42f8-4368-4678-94ff-3960e28e3630/.default");
    }

    @Test
    void aksScopeFollowsAksServerAppIdAndAzureScopeWins() throws Exception {
        Map<String, String> env = minimal();
        env.put("AKS_SERVER_APP_ID", "11111111-1111-1111-1111-111111111111");
        assertThat(ConfigLoader.load(env).profiles().get("aks").scopes()).containsExactly("11111111-1111-1111-1111-111111111111/.default");
        env.put("AZURE_SCOPE", "api://custom/.default");
        assertThat(ConfigLoader.load(env).profiles().get("aks").scopes()).containsExactly("api://custom/.default");
    }

    @Test
    void cloudNameSelectsTheAuthorityAndAuthorityHostWins() throws Exception {
        Map<String, String> env = minimal();
        env.put("AZURE_CLOUD", "AzureUSGovernment");
        assertThat(ConfigLoader.load(env).authorityHost()).hasToString("https://login.microsoftonline.us/");
        env.put("AZURE_AUTHORITY_HOST", "https://login.chinacloudapi.cn");
        assertThat(ConfigLoader.load(env).authorityHost()).hasToString("https://login.chinacloudapi.cn/");
    }

    @Test
    void clientSecretIsChosenWhenNoTokenFileIsSet() throws Exception {
        Map<String, String> env = minimal();
        env.remove("AZURE_FEDERATED_TOKEN_FILE");
        env.put("AKS_AUTH_PROXY_CLIENT_SECRET", "s3cr3t-value");
        Config c = ConfigLoader.load(env);
        assertThat(c.credential()).isEqualTo(CredentialKind.CLIENT_SECRET);
        assertThat(c.toString()).doesNotContain("s3cr3t-value");
    }

    @Test
    void emptyEnvironmentReportsEveryMissingSettingAtOnce() {
        assertThat(problems(Map.of())).hasSize(5)
                .anyMatch(p -> p.startsWith("AZURE_CLIENT_ID: is required"))
                .anyMatch(p -> p.startsWith("AZURE_TENANT_ID: is required"))
                .anyMatch(p -> p.startsWith("AZURE_FEDERATED_TOKEN_FILE: is not set") && p.contains("azure.workload.identity/use"))
                .anyMatch(p -> p.startsWith("AKS_AUTH_PROXY_REDIRECT_URL: is required"))
                .anyMatch(p -> p.startsWith("AKS_AUTH_PROXY_COOKIE_SECRETS: is required") && p.contains("keygen"));
    }

    @Test
    void badValuesAreEachNamedWithTheFix() {
        Map<String, String> env = minimal();
        env.put("AKS_AUTH_PROXY_COOKIE_SECRETS", KEY + ",c2hvcnQ=");
        env.put("AKS_AUTH_PROXY_PUBLIC_PORT", "70000");
        env.put("AKS_AUTH_PROXY_SESSION_LIFETIME", "12 hours");
        env.put("AKS_AUTH_PROXY_SESSION_IDLE_TIMEOUT", "30s");
        env.put("AKS_AUTH_PROXY_COOKIE_SECRET", "typo");
        env.put("AZURE_TENANT_ID", "common");
        env.put("AKS_AUTH_PROXY_REDIRECT_URL", "http://apps.example.com/oauth2/callback");
        env.put("AKS_AUTH_PROXY_ALLOWED_REDIRECT_DOMAINS", "good.example.com, bad_host!, x.example.com:99999");
        env.put("AKS_AUTH_PROXY_IDP_SIGN_OUT", "yes");
        env.put("AZURE_CLOUD", "Mars");
        List<String> problems = problems(env);
        assertThat(problems).hasSize(11)
                .contains("AKS_AUTH_PROXY_COOKIE_SECRETS: key 2 of 2 is not base64 of exactly 32 bytes (it decodes to 5 bytes); "
                        + "generate one with `aks-auth-proxy keygen`")
                .contains("AKS_AUTH_PROXY_PUBLIC_PORT: '70000' is not a whole number from 1 to 65535")
                .contains("AKS_AUTH_PROXY_COOKIE_SECRET: is not a setting of aks-auth-proxy; did you mean AKS_AUTH_PROXY_COOKIE_SECRETS?")
                .anyMatch(p -> p.startsWith("AKS_AUTH_PROXY_SESSION_LIFETIME: '12 hours' is not a duration"))
                .anyMatch(p -> p.startsWith("AKS_AUTH_PROXY_SESSION_IDLE_TIMEOUT: '30s' is not a duration of at least one minute"))
                .anyMatch(p -> p.startsWith("AZURE_TENANT_ID: 'common' is not a single tenant"))
                .anyMatch(p -> p.startsWith("AKS_AUTH_PROXY_REDIRECT_URL: must be an https URL"))
                .anyMatch(p -> p.startsWith("AKS_AUTH_PROXY_ALLOWED_REDIRECT_DOMAINS: 'bad_host!'"))
                .anyMatch(p -> p.startsWith("AKS_AUTH_PROXY_ALLOWED_REDIRECT_DOMAINS: 'x.example.com:99999'"))
                .anyMatch(p -> p.startsWith("AKS_AUTH_PROXY_IDP_SIGN_OUT: 'yes' must be true or false"))
                .anyMatch(p -> p.startsWith("AZURE_CLOUD: 'Mars' is not a known cloud"));
        assertThat(String.join("\n", problems)).doesNotContain(KEY).doesNotContain("c2hvcnQ=");
    }

    @Test
    void cookieKeyRotationDateIsTheStartOfThatDayInUtcAndAnythingElseIsNamed() throws Exception {
        Map<String, String> env = minimal();
        assertThat(ConfigLoader.load(env).cookieKeysRotateBy()).isEmpty();
        env.put("AKS_AUTH_PROXY_COOKIE_SECRETS_ROTATE_BY", "2026-09-30");
        assertThat(ConfigLoader.load(env).cookieKeysRotateBy()).contains(java.time.Instant.parse("2026-09-30T00:00:00Z"));
        for (String bad : new String[] {"30.09.2026", "2026-09-31", "2026-09-30T10:00:00Z"}) {
            env.put("AKS_AUTH_PROXY_COOKIE_SECRETS_ROTATE_BY", bad);
            assertThat(problems(env)).as(bad).containsExactly(
                    "AKS_AUTH_PROXY_COOKIE_SECRETS_ROTATE_BY: '" + bad + "' is not a date; write it like 2026-09-30");
        }
    }

    @Test
    void tokenRequestsInFlightDefaultTo128AndOnlyAWholeNumberFrom1To1024IsTaken() throws Exception {
        Map<String, String> env = minimal();
        assertThat(ConfigLoader.load(env).tokenRequestsInFlight()).isEqualTo(128);
        env.put("AKS_AUTH_PROXY_TOKEN_REQUESTS_IN_FLIGHT", "1024");
        assertThat(ConfigLoader.load(env).tokenRequestsInFlight()).isEqualTo(1024);
        for (String bad : new String[] {"0", "-5", "1025", "many", "64.5", "9223372036854775807"}) {
            env.put("AKS_AUTH_PROXY_TOKEN_REQUESTS_IN_FLIGHT", bad);
            assertThat(problems(env)).as(bad).containsExactly(
                    "AKS_AUTH_PROXY_TOKEN_REQUESTS_IN_FLIGHT: '" + bad + "' is not a whole number from 1 to 1024");
        }
    }

    @Test
    void samePortForBothListenersIsRefused() {
        Map<String, String> env = minimal();
        env.put("AKS_AUTH_PROXY_INTERNAL_PORT", "4180");
        assertThat(problems(env)).containsExactly("AKS_AUTH_PROXY_INTERNAL_PORT: must differ from AKS_AUTH_PROXY_PUBLIC_PORT (4180): "
                + "/oauth2/auth must never be reachable on the public port");
    }

    @Test
    void redirectUrlMustEndInTheCallbackPathAndLifetimeStaysWithin90Days() {
        Map<String, String> env = minimal();
        env.put("AKS_AUTH_PROXY_REDIRECT_URL", "https://apps.example.com/callback");
        env.put("AKS_AUTH_PROXY_SESSION_LIFETIME", "91d");
        assertThat(problems(env)).containsExactlyInAnyOrder(
                "AKS_AUTH_PROXY_REDIRECT_URL: must end in /oauth2/callback, the path this service answers Entra on",
                "AKS_AUTH_PROXY_SESSION_LIFETIME: is longer than 90d, the lifetime of an Entra refresh token; use 90d or less");
    }

    @Test
    void allowedRedirectDomainsDefaultToTheRedirectHostWithItsPort() throws Exception {
        Map<String, String> env = minimal();
        env.put("AKS_AUTH_PROXY_REDIRECT_URL", "https://Apps.Example.com:8443/oauth2/callback");
        assertThat(ConfigLoader.load(env).allowedRedirectDomains()).containsExactly("apps.example.com:8443");
        env.put("AKS_AUTH_PROXY_ALLOWED_REDIRECT_DOMAINS", ".example.com, grafana.example.org:443");
        assertThat(ConfigLoader.load(env).allowedRedirectDomains()).containsExactly(".example.com", "grafana.example.org:443");
    }

    @Test
    void profilesComeFromTheYamlFile() throws Exception {
        Path file = dir.resolve("profiles.yaml");
        Files.writeString(file, """
                profiles:
                  - name: monitor
                    scopes: ["https://prometheus.monitor.azure.com/.default"]
                    access_token_header: true
                  - name: my-api
                    scopes: [api://my-api/access_as_user]
                """);
        Map<String, String> env = minimal();
        env.put("AKS_AUTH_PROXY_CONFIG", file.toString());
        Config c = ConfigLoader.load(env);
        assertThat(c.profiles()).containsOnlyKeys("aks", "monitor", "my-api");
        assertThat(c.profiles().get("monitor")).isEqualTo(new Profile("monitor", List.of("https://prometheus.monitor.azure.com/.default"), true));
        assertThat(c.profiles().get("my-api").accessTokenHeader()).isFalse();
    }

    @Test
    void profileFileProblemsAreReportedTogether() throws Exception {
        Path file = dir.resolve("profiles.yaml");
        Files.writeString(file, """
                profiles:
                  - name: aks
                    scopes: [x/.default]
                  - name: Monitor
                    scope: [x]
                  - name: api
                    scopes: [a/.default]
                  - name: api
                    scopes: [b/.default]
                    access_token_header: "yes"
                extra: 1
                """);
        Map<String, String> env = minimal();
        env.put("AKS_AUTH_PROXY_CONFIG", file.toString());
        String where = file + ": ";
        assertThat(problems(env)).containsExactlyInAnyOrder(
                where + "unknown key 'extra'; the file holds 'profiles'",
                where + "profiles[0]: the 'aks' profile is built in; change its scope with AKS_SERVER_APP_ID or AZURE_SCOPE",
                where + "profiles[1]: unknown key 'scope'; a profile has access_token_header, allow, browser_redirect, name, rbac, scopes",
                where + "profiles[1]: 'name' must be lower-case letters, digits and '-', like monitor or my-api",
                where + "profiles[1]: 'scopes' must be a non-empty list, like [\"https://prometheus.monitor.azure.com/.default\"]",
                where + "profiles[3]: 'access_token_header' must be true or false");
    }

    @Test
    void unreadableOrInvalidProfileFileIsNamed() throws Exception {
        Map<String, String> env = minimal();
        env.put("AKS_AUTH_PROXY_CONFIG", dir.resolve("missing.yaml").toString());
        assertThat(problems(env)).singleElement().asString().startsWith("AKS_AUTH_PROXY_CONFIG: cannot read");
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "profiles: [\n  - name: x\n");
        env.put("AKS_AUTH_PROXY_CONFIG", bad.toString());
        assertThat(problems(env)).singleElement().asString().startsWith("AKS_AUTH_PROXY_CONFIG: '" + bad + "' is not valid YAML");
    }

    @Test
    void invalidConfigExceptionListsEveryProblemInItsMessage() {
        assertThatThrownBy(() -> ConfigLoader.load(Map.of())).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("AZURE_CLIENT_ID").hasMessageContaining("AKS_AUTH_PROXY_COOKIE_SECRETS");
    }

    @Test
    void observabilitySettingsHaveTheDocumentedDefaults() throws Exception {
        Config c = ConfigLoader.load(minimal());
        assertThat(c.logFormat()).isEqualTo(LogFormat.JSON);
        assertThat(c.trustedProxies()).isEmpty();
        assertThat(c.authRateLimit()).isEqualTo(new RateLimit(300, java.time.Duration.ofMillis(20)));
        assertThat(c.signInRateLimit()).isEqualTo(new RateLimit(20, java.time.Duration.ofSeconds(6)));
    }

    @Test
    void observabilitySettingsAreParsedAndBadValuesNamed() throws Exception {
        Map<String, String> env = new java.util.HashMap<>(minimal());
        env.put("AKS_AUTH_PROXY_LOG_FORMAT", "plain");
        env.put("AKS_AUTH_PROXY_TRUSTED_PROXIES", "10.244.0.0/16, fd00::/8");
        env.put("AKS_AUTH_PROXY_AUTH_RATE_BURST", "0");
        Config c = ConfigLoader.load(env);
        assertThat(c.logFormat()).isEqualTo(LogFormat.PLAIN);
        assertThat(c.trustedProxies()).extracting(Cidr::toString).containsExactly("10.244.0.0/16", "fd00:0:0:0:0:0:0:0/8");
        assertThat(c.authRateLimit().enabled()).isFalse();

        env.put("AKS_AUTH_PROXY_LOG_FORMAT", "JSON");
        env.put("AKS_AUTH_PROXY_TRUSTED_PROXIES", "10.0.0.0/8,ingress.example.com");
        env.put("AKS_AUTH_PROXY_SIGN_IN_RATE_PER_MINUTE", "0");
        assertThat(problems(env)).containsExactlyInAnyOrder(
                "AKS_AUTH_PROXY_LOG_FORMAT: 'JSON' is not a log format; use json or plain",
                "AKS_AUTH_PROXY_TRUSTED_PROXIES: 'ingress.example.com' is not an address range; write entries like "
                        + "10.244.0.0/16, 192.168.1.7 or fd00::/8 (addresses, not host names)",
                "AKS_AUTH_PROXY_SIGN_IN_RATE_PER_MINUTE: '0' is not a whole number from 1 to 1000000");
    }

    @Test
    void shortenedOrNumericTrustedProxyRangesAreProblemsNamingTheEntry() {
        Map<String, String> env = new HashMap<>(minimal());
        env.put("AKS_AUTH_PROXY_TRUSTED_PROXIES", "10.244/16, 167772161/32,10.240.0.0/16");
        String advice = " is not an address range; write entries like 10.244.0.0/16, 192.168.1.7 or fd00::/8 (addresses, not host names)";
        assertThat(problems(env)).containsExactly(
                "AKS_AUTH_PROXY_TRUSTED_PROXIES: '10.244/16'" + advice,
                "AKS_AUTH_PROXY_TRUSTED_PROXIES: '167772161/32'" + advice);
    }

    @Test
    void shutdownDelayIsFiveSecondsUnlessSetFromZeroToSixtySeconds() throws Exception {
        assertThat(ConfigLoader.load(minimal()).shutdownDelay()).isEqualTo(java.time.Duration.ofSeconds(5));
        Map<String, String> env = minimal();
        env.put("AKS_AUTH_PROXY_SHUTDOWN_DELAY", "0s");
        assertThat(ConfigLoader.load(env).shutdownDelay()).isZero();
        env.put("AKS_AUTH_PROXY_SHUTDOWN_DELAY", "2m");
        assertThat(problems(env)).containsExactly("AKS_AUTH_PROXY_SHUTDOWN_DELAY: '2m' is not a duration from 0s to 60s; write it like 5s");
    }
}
