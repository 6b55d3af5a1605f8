package io.github.aksauthproxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Microsoft Graph of the right cloud, a stand-in only on loopback, a scope of Graph, and the bounds of the groups header. */
class GroupsSettingsTest {
    private static Map<String, String> with(String... pairs) {
        Map<String, String> env = ConfigLoaderTest.minimal();
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    @Test
    void defaultsArePublicGraphWithUserReadTenMinutesAndFourKilobytes() throws Exception {
        GroupsConfig g = ConfigLoader.load(ConfigLoaderTest.minimal()).groups();
        assertThat(g.graphUrl()).contains(URI.create("https://graph.microsoft.com"));
        assertThat(g.graphScope()).isEqualTo("https://graph.microsoft.com/User.Read");
        assertThat(g.cacheTtl()).isEqualTo(Duration.ofMinutes(10));
        assertThat(g.headerMaxBytes()).isEqualTo(4096);
    }

    @ParameterizedTest
    @CsvSource({
            "AZURE_CLOUD, AzureUSGovernment, https://graph.microsoft.us",
            "AZURE_CLOUD, AzureChinaCloud, https://microsoftgraph.chinacloudapi.cn",
            "AZURE_AUTHORITY_HOST, https://login.microsoftonline.us/, https://graph.microsoft.us",
            "AZURE_AUTHORITY_HOST, https://login.partner.microsoftonline.cn/, https://microsoftgraph.chinacloudapi.cn",
            "AZURE_AUTHORITY_HOST, https://login.microsoftonline.com/, https://graph.microsoft.com"})
    void eachCloudHasItsOwnGraphAndScope(String setting, String value, String graph) throws Exception {
        GroupsConfig g = ConfigLoader.load(with(setting, value)).groups();
        assertThat(g.graphUrl()).contains(URI.create(graph));
        assertThat(g.graphScope()).isEqualTo(graph + "/User.Read");
    }

    @Test
    void anAuthorityHostOfNoKnownCloudHasNoGraph() throws Exception {
        GroupsConfig g = ConfigLoader.load(with("AZURE_AUTHORITY_HOST", "https://login.example.com/")).groups();
        assertThat(g.graphUrl()).isEqualTo(Optional.empty());
        assertThat(g.graphScope()).isEqualTo("https://graph.microsoft.com/User.Read");
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://localhost:8443", "https://127.0.0.1:1/", "https://[::1]:9443"})
    void aStandInOnLoopbackIsAccepted(String url) throws Exception {
        assertThat(ConfigLoader.load(with("AKS_AUTH_PROXY_GRAPH_URL", url)).groups().graphUrl().orElseThrow().toString())
                .isEqualTo(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://graph.example.com", "http://localhost:8080", "https://evil.example/graph", "https://localhost:8443/v1.0",
            "https://user@localhost:8443", "https://localhost:8443?x=1", "https://graph.microsoft.com:8443", "graph.microsoft.com", "https://10.0.0.1"})
    void anyOtherGraphUrlIsRefusedWithTheReason(String url) {
        assertThat(ConfigLoaderTest.problems(with("AKS_AUTH_PROXY_GRAPH_URL", url))).containsExactly("AKS_AUTH_PROXY_GRAPH_URL: '" + url
                + "' is not Microsoft Graph or a stand-in on loopback; it is for tests only (https://localhost:<port>); leave it unset in "
                + "production, where the cloud of the authority host decides");
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://graph.microsoft.com/User.Read", "https://graph.microsoft.com/GroupMember.Read.All",
            "00000003-0000-0000-c000-000000000000/User.Read", "https://graph.microsoft.us/User.Read"})
    void aScopeOfGraphIsAccepted(String scope) throws Exception {
        assertThat(ConfigLoader.load(with("AKS_AUTH_PROXY_GRAPH_SCOPE", scope)).groups().graphScope()).isEqualTo(scope);
    }

    @ParameterizedTest
    @ValueSource(strings = {"User.Read", "https://graph.windows.net/User.Read", "api://my-api/access_as_user", "https://graph.microsoft.com/",
            "https://graph.microsoft.com/User.Read openid"})
    void aScopeOfAnythingButGraphIsRefused(String scope) {
        assertThat(ConfigLoaderTest.problems(with("AKS_AUTH_PROXY_GRAPH_SCOPE", scope))).containsExactly("AKS_AUTH_PROXY_GRAPH_SCOPE: '" + scope
                + "' is not one delegated scope of Microsoft Graph; write it like https://graph.microsoft.com/User.Read");
    }

    @Test
    void cacheTimeAndHeaderBytesAreBounded() throws Exception {
        GroupsConfig g = ConfigLoader.load(with("AKS_AUTH_PROXY_GROUPS_CACHE_TTL", "30s", "AKS_AUTH_PROXY_GROUPS_HEADER_MAX_BYTES", "8192")).groups();
        assertThat(g.cacheTtl()).isEqualTo(Duration.ofSeconds(30));
        assertThat(g.headerMaxBytes()).isEqualTo(8192);
        assertThat(ConfigLoaderTest.problems(with("AKS_AUTH_PROXY_GROUPS_CACHE_TTL", "2h", "AKS_AUTH_PROXY_GROUPS_HEADER_MAX_BYTES", "100")))
                .containsExactly("AKS_AUTH_PROXY_GROUPS_CACHE_TTL: '2h' is not a duration from 10s to 1h; write it like 10m",
                        "AKS_AUTH_PROXY_GROUPS_HEADER_MAX_BYTES: '100' is not a whole number from 256 to 32768; keep it well under the "
                                + "proxy's buffer for auth answers (ingress-nginx: proxy-buffer-size)");
    }
}
