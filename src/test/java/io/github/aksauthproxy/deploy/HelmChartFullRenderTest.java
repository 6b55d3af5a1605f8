package io.github.aksauthproxy.deploy;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import static io.github.aksauthproxy.deploy.Manifests.at;
import static io.github.aksauthproxy.deploy.Manifests.list;
import static io.github.aksauthproxy.deploy.Manifests.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** Every optional feature on (ci/full-values.yaml), with ports moved to 8080/8081. */
class HelmChartFullRenderTest {

    private static Manifests rendered;
    private static Map<String, Object> values;

    @BeforeAll
    static void render() throws IOException {
        Chart.cluster().reset();
        rendered = Chart.render().values("full").manifests();
        values = new Yaml(new LoaderOptions()).load(Files.readString(Chart.ciValues("full")));
    }

    @Test
    void rendersEveryOptionalObject() {
        assertThat(rendered.kinds()).containsExactly("ConfigMap", "ConfigMap", "Deployment", "HorizontalPodAutoscaler", "Ingress",
                "NetworkPolicy", "PodDisruptionBudget", "PrometheusRule", "Secret", "Service", "ServiceAccount", "ServiceMonitor");
    }

    @Test
    void imageDigestWinsOverTag() {
        assertThat((String) at(rendered.container(), "image")).isEqualTo(
                "myregistry.azurecr.io/aks-auth-proxy@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    }

    @Test
    void ingressServesOnlyTheBrowserPathsExactlyOnThePublicPort() {
        Map<String, Object> ingress = rendered.one("Ingress");
        List<Map<String, Object>> rules = list(ingress, "spec", "rules");
        List<Map<String, Object>> paths = list(rules.get(0), "http", "paths");

        assertThat(rules).hasSize(1);
        assertThat((String) at(rules.get(0), "host")).isEqualTo(Chart.HOST);
        assertThat(paths).extracting(p -> p.get("path")).containsExactly(
                "/oauth2/start", "/oauth2/callback", "/oauth2/sign_out", "/oauth2/userinfo", "/oauth2/whoami", "/oauth2/error");
        assertThat(paths).allSatisfy(p -> {
            assertThat(p.get("pathType")).isEqualTo("Exact");
            assertThat((String) at(p, "backend", "service", "name")).isEqualTo(Chart.FULLNAME);
            assertThat((Integer) at(p, "backend", "service", "port", "number")).isEqualTo(8080);
        });
        assertThat(rendered.containerPort("http")).isEqualTo(8080);
    }

    @Test
    void ingressNeverExposesTheAuthEndpoint() {
        assertThat(new Yaml().dump(rendered.one("Ingress"))).doesNotContain("/oauth2/auth");
    }

    @Test
    void ingressUsesTheClassTlsSecretAndBigProxyBuffer() {
        Map<String, Object> ingress = rendered.one("Ingress");

        assertThat((String) at(ingress, "spec", "ingressClassName")).isEqualTo("webapprouting.kubernetes.azure.com");
        assertThat(list(ingress, "spec", "tls")).containsExactly(
                Map.of("hosts", List.of(Chart.HOST), "secretName", "auth-example-com-tls"));
        assertThat(map(ingress, "metadata", "annotations"))
                .containsEntry("nginx.ingress.kubernetes.io/proxy-buffer-size", "32k");
    }

    @Test
    void profilesBecomeTheConfigFileTheEnvironmentPointsAt() {
        Map<String, Object> configMap = rendered.ofKind("ConfigMap").stream()
                .filter(c -> Chart.FULLNAME.equals(at(c, "metadata", "name"))).findFirst().orElseThrow();
        Map<String, Object> file = new Yaml(new LoaderOptions()).load((String) at(configMap, "data", "config.yaml"));
        Map<String, Object> mount = Manifests.<Map<String, Object>>list(rendered.container(), "volumeMounts").stream()
                .filter(m -> "config".equals(m.get("name"))).findFirst().orElseThrow();
        Map<String, Object> volume = Manifests.<Map<String, Object>>list(rendered.deployment(), "spec", "template", "spec", "volumes")
                .stream().filter(v -> "config".equals(v.get("name"))).findFirst().orElseThrow();

        assertThat(file).isEqualTo(Map.of("profiles", values.get("profiles")));
        assertThat((String) at(volume, "configMap", "name")).isEqualTo(at(configMap, "metadata", "name"));
        assertThat(mount).containsEntry("readOnly", true);
        assertThat(rendered.env().get("AKS_AUTH_PROXY_CONFIG"))
                .containsEntry("value", mount.get("mountPath") + "/config.yaml")
                .containsEntry("value", "/etc/aks-auth-proxy/config.yaml");
    }

    @Test
    void environmentCarriesEveryOptionalSetting() {
        Map<String, Map<String, Object>> env = rendered.env();

        assertThat(env.get("AZURE_TENANT_ID")).containsEntry("value", "contoso.onmicrosoft.com");
        assertThat(env.get("AKS_SERVER_APP_ID")).containsEntry("value", "6dae42f8-4368-4678-94ff-3960e28e3630");
        assertThat(env.get("AZURE_SCOPE")).containsEntry("value", "6dae42f8-4368-4678-94ff-3960e28e3630/.default");
        assertThat(env.get("AKS_AUTH_PROXY_COOKIE_DOMAIN")).containsEntry("value", ".example.com");
        assertThat(env.get("AKS_AUTH_PROXY_ALLOWED_REDIRECT_DOMAINS")).containsEntry("value", ".example.com,grafana.example.org:8443");
        assertThat(env.get("AKS_AUTH_PROXY_PUBLIC_PORT")).containsEntry("value", "8080");
        assertThat(env.get("AKS_AUTH_PROXY_INTERNAL_PORT")).containsEntry("value", "8081");
        assertThat(env.get("AKS_AUTH_PROXY_SESSION_LIFETIME")).containsEntry("value", "8h");
        assertThat(env.get("AKS_AUTH_PROXY_SESSION_IDLE_TIMEOUT")).containsEntry("value", "30m");
        assertThat(env.get("AKS_AUTH_PROXY_GROUPS_HEADER_LIMIT")).containsEntry("value", "50");
        assertThat(env.get("AKS_AUTH_PROXY_GROUPS_HEADER_MAX_BYTES")).containsEntry("value", "8192");
        assertThat(env.get("AKS_AUTH_PROXY_GRAPH_SCOPE")).containsEntry("value", "https://graph.microsoft.com/User.Read");
        assertThat(env.get("AKS_AUTH_PROXY_GROUPS_CACHE_TTL")).containsEntry("value", "5m");
        assertThat(env.get("AKS_AUTH_PROXY_TOKEN_CACHE_MAX_BYTES")).containsEntry("value", "128m");
        assertThat(env.get("AKS_AUTH_PROXY_TOKEN_REQUESTS_IN_FLIGHT")).containsEntry("value", "256");
        assertThat(env.get("AKS_AUTH_PROXY_IDP_SIGN_OUT")).containsEntry("value", "true");
        assertThat(env.get("JAVA_TOOL_OPTIONS")).containsEntry("value", "-Dhttps.proxyHost=proxy.example.com -Dhttps.proxyPort=3128");
        assertThat(env.get("AKS_AUTH_PROXY_IDP_CA_FILE")).containsEntry("value", "/etc/aks-auth-proxy-ca/ca.crt");
    }

    @Test
    void probesFollowTheMovedInternalPort() {
        assertThat(rendered.containerPort(at(rendered.container(), "readinessProbe", "httpGet", "port"))).isEqualTo(8081);
        assertThat(rendered.containerPort(at(rendered.container(), "livenessProbe", "httpGet", "port"))).isEqualTo(8081);
    }

    @Test
    void networkPolicyLetsMonitoringReachOnlyTheInternalPort() {
        List<Map<String, Object>> rules = list(rendered.one("NetworkPolicy"), "spec", "ingress");

        assertThat(rules).hasSize(3);
        assertThat(list(rules.get(0), "from")).containsExactly(Map.of(
                "namespaceSelector", Map.of("matchLabels", Map.of("kubernetes.io/metadata.name", "app-routing-system")),
                "podSelector", Map.of("matchLabels", Map.of("app", "nginx"))));
        assertThat(list(rules.get(0), "ports")).containsExactly(
                Map.of("protocol", "TCP", "port", 8080), Map.of("protocol", "TCP", "port", 8081));
        assertThat(list(rules.get(1), "from")).containsExactly(Map.of(
                "namespaceSelector", Map.of("matchLabels", Map.of("kubernetes.io/metadata.name", "kube-system")),
                "podSelector", Map.of("matchLabels", Map.of("rsName", "ama-metrics"))));
        assertThat(list(rules.get(1), "ports")).containsExactly(Map.of("protocol", "TCP", "port", 8081));
    }

    @Test
    void autoscalerOwnsTheReplicaCount() {
        Map<String, Object> hpa = rendered.one("HorizontalPodAutoscaler");

        assertThat(map(rendered.deployment(), "spec")).doesNotContainKey("replicas");
        assertThat(map(hpa, "spec", "scaleTargetRef")).containsEntry("kind", "Deployment").containsEntry("name", Chart.FULLNAME);
        assertThat(map(hpa, "spec")).containsEntry("minReplicas", 3).containsEntry("maxReplicas", 10);
        assertThat(list(hpa, "spec", "metrics")).extracting(m -> at(m, "resource", "name"), m -> at(m, "resource", "target", "averageUtilization"))
                .containsExactly(tuple("cpu", 60), tuple("memory", 80));
    }

    @Test
    void serviceMonitorScrapesMetricsOnTheInternalPort() {
        Map<String, Object> monitor = rendered.one("ServiceMonitor");

        assertThat((String) at(monitor, "apiVersion")).isEqualTo("azmonitoring.coreos.com/v1");
        assertThat(list(monitor, "spec", "endpoints")).containsExactly(
                Map.of("port", "internal", "path", "/metrics", "interval", "15s", "scrapeTimeout", "10s"));
        assertThat(map(monitor, "spec", "selector", "matchLabels"))
                .isEqualTo(map(rendered.one("Service"), "spec", "selector"));
        assertThat(map(monitor, "metadata", "labels")).containsEntry("release", "prometheus");
    }

    @Test
    void disruptionBudgetUsesMaxUnavailableWhenGiven() {
        assertThat(map(rendered.one("PodDisruptionBudget"), "spec"))
                .containsEntry("maxUnavailable", 1).doesNotContainKey("minAvailable");
    }

    @Test
    void namedServiceAccountIsCreatedAndUsed() {
        assertThat((String) at(rendered.one("ServiceAccount"), "metadata", "name")).isEqualTo("auth-proxy");
        assertThat(map(rendered.one("ServiceAccount"), "metadata", "annotations"))
                .containsEntry("azure.workload.identity/service-account-token-expiration", "3600")
                .containsEntry("azure.workload.identity/client-id", Chart.CLIENT_ID);
        assertThat((String) at(rendered.deployment(), "spec", "template", "spec", "serviceAccountName")).isEqualTo("auth-proxy");
    }
}
