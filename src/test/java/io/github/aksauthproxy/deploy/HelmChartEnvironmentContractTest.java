package io.github.aksauthproxy.deploy;

import io.github.aksauthproxy.config.Setting;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chart and the service agree on configuration: the chart sets only variables the service reads
 * ({@link Setting}, DESIGN.md section 10), and every variable the service reads is either offered
 * by the chart or listed below with the reason it is not.
 */
class HelmChartEnvironmentContractTest {

    /** Variables the JVM reads itself, not the service. */
    private static final Map<String, String> JVM_VARIABLES = Map.of(
            "JAVA_TOOL_OPTIONS", "values jvm.options: extra JVM flags such as an egress proxy's -Dhttps.proxyHost");

    /** Settings the chart deliberately does not set from its own values, and why. */
    private static final Map<String, String> NOT_SET_BY_CHART = Map.ofEntries(
            Map.entry("AZURE_FEDERATED_TOKEN_FILE", "injected by the workload-identity webhook; its path differs between webhook versions"),
            Map.entry("AZURE_AUTHORITY_HOST", "injected by the workload-identity webhook for the cluster's cloud"),
            Map.entry("AZURE_CLOUD", "AZURE_AUTHORITY_HOST from the webhook always wins over it"),
            Map.entry("AKS_AUTH_PROXY_CLIENT_SECRET", "local development only; the chart uses workload identity"),
            Map.entry("AKS_AUTH_PROXY_LISTEN_ADDRESS", "the default (all interfaces) is what a pod needs for its Service and probes"),
            Map.entry("AKS_AUTH_PROXY_OIDC_DISCOVERY_URL", "derived from the tenant; only tests point it elsewhere"),
            Map.entry("AKS_AUTH_PROXY_GRAPH_URL", "for tests only: a stand-in for Microsoft Graph on loopback; production uses the cloud's Graph"),
            Map.entry("AKS_AUTH_PROXY_IDP_CA_FILE", "only behind a TLS-inspecting egress proxy: set with extraEnv and extraVolumes, as ci/full-values.yaml shows"),
            Map.entry("KUBERNETES_SERVICE_HOST", "set by Kubernetes in every pod"),
            Map.entry("KUBERNETES_SERVICE_PORT", "set by Kubernetes in every pod"),
            Map.entry("AKS_AUTH_PROXY_KUBERNETES_API_URL", "the in-cluster default (from KUBERNETES_SERVICE_HOST/PORT) is the cluster the chart runs in"),
            Map.entry("AKS_AUTH_PROXY_KUBERNETES_CA_FILE", "the in-cluster default is the service account's mounted ca.crt"),
            Map.entry("AKS_AUTH_PROXY_ACCESS_DECISION_TTL", "the 60s default suits; tune it with extraEnv"),
            Map.entry("AKS_AUTH_PROXY_BEARER_AUDIENCES", "the AKS server app id default suits kubectl with kubelogin; widen it with extraEnv"),
            Map.entry("AKS_AUTH_PROXY_BEARER_ISSUERS", "derived from the tenant; override with extraEnv only for sovereign clouds"),
            Map.entry("AKS_AUTH_PROXY_TRUSTED_PROXIES", "only for proxies that overwrite X-Real-IP (README: Which proxies to trust), for the sign-in limit, client_ip and the browser redirect; set with extraEnv"),
            Map.entry("AKS_AUTH_PROXY_SHUTDOWN_DELAY", "the 5s default fits the chart's terminationGracePeriodSeconds (30 s: 5 s of delay, up to 15 s for requests in flight, the JVM's stop); raise both together, this with extraEnv"),
            Map.entry("AKS_AUTH_PROXY_LOG_FORMAT", "the json default is what log collectors in a cluster want; plain is for local development"),
            Map.entry("AKS_AUTH_PROXY_AUTH_RATE_BURST", "the defaults never bother a normal user; tune with extraEnv"),
            Map.entry("AKS_AUTH_PROXY_AUTH_RATE_PER_SECOND", "the defaults never bother a normal user; tune with extraEnv"),
            Map.entry("AKS_AUTH_PROXY_SIGN_IN_RATE_BURST", "the defaults never bother a normal user; tune with extraEnv"),
            Map.entry("AKS_AUTH_PROXY_SIGN_IN_RATE_PER_MINUTE", "the defaults never bother a normal user; tune with extraEnv"),
            Map.entry("AKS_AUTH_PROXY_MANAGED_IDENTITY_CLIENT_ID", "for hosts without the workload-identity webhook (Container Apps, App Service); on AKS the chart uses workload identity"),
            Map.entry("AKS_AUTH_PROXY_SIDECAR_UPSTREAM", "sidecar mode only; this chart deploys the forward-auth service (serve)"),
            Map.entry("AKS_AUTH_PROXY_SIDECAR_SCOPE", "sidecar mode only; this chart deploys the forward-auth service (serve)"),
            Map.entry("AKS_AUTH_PROXY_SIDECAR_PATH_PREFIX", "sidecar mode only; this chart deploys the forward-auth service (serve)"),
            Map.entry("AKS_AUTH_PROXY_SIDECAR_PORT", "sidecar mode only; this chart deploys the forward-auth service (serve)"),
            Map.entry("AKS_AUTH_PROXY_SIDECAR_LISTEN_ADDRESS", "sidecar mode only; this chart deploys the forward-auth service (serve)"),
            Map.entry("AKS_AUTH_PROXY_SIDECAR_UPSTREAM_CA_FILE", "sidecar mode only; this chart deploys the forward-auth service (serve)"),
            Map.entry("AKS_AUTH_PROXY_REDIS_CA_FILE", "only for a Redis whose certificate a private CA signed: set with extraEnv and extraVolumes"));

    static List<String> ciScenarios() {
        return Chart.ciScenarios();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ciScenarios")
    void everyVariableTheDeploymentSetsIsOneTheServiceReads(String scenario) {
        Chart.cluster().reset();
        Set<String> names = Chart.render().values(scenario).manifests().env().keySet();

        assertThat(names).isNotEmpty().allSatisfy(name -> assertThat(
                Setting.byName(name).isPresent() || JVM_VARIABLES.containsKey(name))
                .as("%s is neither a Setting nor a JVM variable", name).isTrue());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ciScenarios")
    void federatedTokenFileIsNeverSet(String scenario) {
        Chart.cluster().reset();
        assertThat(Chart.render().values(scenario).manifests().env()).doesNotContainKey("AZURE_FEDERATED_TOKEN_FILE");
    }

    /**
     * When the service gains a Setting, this fails until the chart offers it in some ci scenario (the Redis topologies
     * exclude each other, so no one scenario can show them all) or says here why not.
     */
    @Test
    void everySettingIsOfferedByTheChartOrExplained() throws IOException {
        Set<String> offered = new HashSet<>();
        for (String scenario : Chart.ciScenarios()) {
            Chart.cluster().reset();
            Map<String, Object> values = new Yaml(new LoaderOptions()).load(Files.readString(Chart.ciValues(scenario)));
            Set<String> throughExtraEnv = Manifests.<Map<String, Object>>list(values, "extraEnv").stream()
                    .map(e -> (String) e.get("name")).collect(Collectors.toSet());
            Set<String> rendered = new HashSet<>(Chart.render().values(scenario).manifests().env().keySet());
            rendered.removeAll(throughExtraEnv);
            offered.addAll(rendered);
        }
        offered.removeAll(JVM_VARIABLES.keySet());
        Set<String> settings = Arrays.stream(Setting.values()).map(Enum::name).collect(Collectors.toSet());

        assertThat(offered).doesNotContainAnyElementsOf(NOT_SET_BY_CHART.keySet());
        assertThat(settings).containsExactlyInAnyOrderElementsOf(
                Stream.concat(offered.stream(), NOT_SET_BY_CHART.keySet().stream()).toList());
    }
}
