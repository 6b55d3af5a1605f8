package io.github.aksauthproxy.deploy;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.github.aksauthproxy.deploy.Manifests.at;
import static io.github.aksauthproxy.deploy.Manifests.list;
import static io.github.aksauthproxy.deploy.Manifests.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.tuple;

/** The chart with only the required values (ci/default-values.yaml): what most installs get. */
class HelmChartDefaultRenderTest {

    private static Manifests rendered;

    @BeforeAll
    static void render() {
        Chart.cluster().reset();
        rendered = Chart.render().values("default").manifests();
    }

    @Test
    void rendersTheCoreObjectsAndNoOptionalOnes() {
        assertThat(rendered.kinds()).containsExactly(
                "Deployment", "NetworkPolicy", "PodDisruptionBudget", "Secret", "Service", "ServiceAccount");
    }

    @Test
    void runsTwoReplicasOfTheChartsImage() {
        assertThat((Integer) at(rendered.deployment(), "spec", "replicas")).isEqualTo(2);
        assertThat((String) at(rendered.container(), "image")).isEqualTo("ghcr.io/aksauthproxy/aks-auth-proxy:0.1.0");
        assertThat(list(rendered.container(), "args")).containsExactly("serve");
    }

    @Test
    void podRunsAsUser65532WithRuntimeDefaultSeccomp() {
        Map<String, Object> pod = map(rendered.deployment(), "spec", "template", "spec", "securityContext");

        assertThat(pod).containsEntry("runAsNonRoot", true)
                .containsEntry("runAsUser", 65532)
                .containsEntry("runAsGroup", 65532)
                .containsEntry("fsGroup", 65532);
        assertThat((String) at(pod, "seccompProfile", "type")).isEqualTo("RuntimeDefault");
    }

    @Test
    void containerIsLockedDown() {
        Map<String, Object> container = map(rendered.container(), "securityContext");

        assertThat(container).containsEntry("runAsNonRoot", true)
                .containsEntry("runAsUser", 65532)
                .containsEntry("allowPrivilegeEscalation", false)
                .containsEntry("readOnlyRootFilesystem", true);
        assertThat(list(container, "capabilities", "drop")).containsExactly("ALL");
        assertThat(list(container, "capabilities", "add")).isEmpty();
        assertThat((String) at(container, "seccompProfile", "type")).isEqualTo("RuntimeDefault");
    }

    @Test
    void tmpIsAWritableEmptyDirBecauseTheRootFilesystemIsReadOnly() {
        Map<String, Object> mount = list(rendered.container(), "volumeMounts").stream()
                .map(m -> (Map<String, Object>) m)
                .filter(m -> "/tmp".equals(m.get("mountPath")))
                .findFirst().orElseThrow();
        Map<String, Object> volume = list(rendered.deployment(), "spec", "template", "spec", "volumes").stream()
                .map(v -> (Map<String, Object>) v)
                .filter(v -> v.get("name").equals(mount.get("name")))
                .findFirst().orElseThrow();

        assertThat(mount).doesNotContainKey("readOnly");
        assertThat(volume).containsKey("emptyDir");
    }

    @Test
    void podCarriesTheWorkloadIdentityLabelButTheSelectorDoesNot() {
        assertThat(map(rendered.deployment(), "spec", "template", "metadata", "labels"))
                .containsEntry("azure.workload.identity/use", "true");
        assertThat(map(rendered.deployment(), "spec", "selector", "matchLabels"))
                .doesNotContainKey("azure.workload.identity/use");
    }

    @Test
    void serviceAccountNamesTheEntraAppForWorkloadIdentity() {
        Map<String, Object> account = rendered.one("ServiceAccount");

        assertThat((String) at(account, "metadata", "name")).isEqualTo(Chart.FULLNAME);
        assertThat(map(account, "metadata", "annotations"))
                .containsEntry("azure.workload.identity/client-id", Chart.CLIENT_ID)
                .containsEntry("azure.workload.identity/tenant-id", Chart.TENANT_ID);
        assertThat((String) at(rendered.deployment(), "spec", "template", "spec", "serviceAccountName"))
                .isEqualTo(Chart.FULLNAME);
    }

    @Test
    void livenessAndStartupAskHealthzAndReadinessAsksReadyzOnPort4181() {
        Map<String, Object> container = rendered.container();

        assertThat((String) at(container, "livenessProbe", "httpGet", "path")).isEqualTo("/healthz");
        assertThat(rendered.containerPort(at(container, "livenessProbe", "httpGet", "port"))).isEqualTo(4181);
        assertThat((String) at(container, "startupProbe", "httpGet", "path")).isEqualTo("/healthz");
        assertThat(rendered.containerPort(at(container, "startupProbe", "httpGet", "port"))).isEqualTo(4181);
        assertThat((String) at(container, "readinessProbe", "httpGet", "path")).isEqualTo("/readyz");
        assertThat(rendered.containerPort(at(container, "readinessProbe", "httpGet", "port"))).isEqualTo(4181);
    }

    @Test
    void containerAndServiceExposePublic4180AndInternal4181() {
        assertThat(rendered.containerPort("http")).isEqualTo(4180);
        assertThat(rendered.containerPort("internal")).isEqualTo(4181);
        List<Map<String, Object>> ports = list(rendered.one("Service"), "spec", "ports");
        assertThat(ports).extracting(p -> p.get("name"), p -> p.get("port"), p -> rendered.containerPort(p.get("targetPort")))
                .containsExactly(
                        tuple("http", 4180, 4180),
                        tuple("internal", 4181, 4181));
        assertThat(map(rendered.one("Service"), "spec", "selector"))
                .isEqualTo(map(rendered.deployment(), "spec", "selector", "matchLabels"));
    }

    @Test
    void environmentIsExactlyTheRequiredConfiguration() {
        Map<String, Map<String, Object>> env = rendered.env();

        assertThat(env.keySet()).containsExactlyInAnyOrder(
                "AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AKS_AUTH_PROXY_CREDENTIAL", "AKS_AUTH_PROXY_REDIRECT_URL",
                "AKS_AUTH_PROXY_COOKIE_SECRETS", "AKS_AUTH_PROXY_PUBLIC_PORT", "AKS_AUTH_PROXY_INTERNAL_PORT",
                "AKS_AUTH_PROXY_SESSION_LIFETIME", "AKS_AUTH_PROXY_SESSION_IDLE_TIMEOUT",
                "AKS_AUTH_PROXY_GROUPS_HEADER_LIMIT", "AKS_AUTH_PROXY_GROUPS_HEADER_MAX_BYTES", "AKS_AUTH_PROXY_GROUPS_CACHE_TTL",
                "AKS_AUTH_PROXY_TOKEN_REQUESTS_IN_FLIGHT", "AKS_AUTH_PROXY_IDP_SIGN_OUT");
        assertThat(env.get("AZURE_CLIENT_ID")).containsEntry("value", Chart.CLIENT_ID);
        assertThat(env.get("AZURE_TENANT_ID")).containsEntry("value", Chart.TENANT_ID);
        assertThat(env.get("AKS_AUTH_PROXY_CREDENTIAL")).containsEntry("value", "workload-identity");
        assertThat(env.get("AKS_AUTH_PROXY_REDIRECT_URL")).containsEntry("value", "https://auth.example.com/oauth2/callback");
        assertThat(env.get("AKS_AUTH_PROXY_PUBLIC_PORT")).containsEntry("value", "4180");
        assertThat(env.get("AKS_AUTH_PROXY_INTERNAL_PORT")).containsEntry("value", "4181");
        assertThat(env.get("AKS_AUTH_PROXY_SESSION_LIFETIME")).containsEntry("value", "12h");
        assertThat(env.get("AKS_AUTH_PROXY_SESSION_IDLE_TIMEOUT")).containsEntry("value", "1h");
        assertThat(env.get("AKS_AUTH_PROXY_GROUPS_HEADER_LIMIT")).containsEntry("value", "100");
        assertThat(env.get("AKS_AUTH_PROXY_GROUPS_HEADER_MAX_BYTES")).containsEntry("value", "4096");
        assertThat(env.get("AKS_AUTH_PROXY_GROUPS_CACHE_TTL")).containsEntry("value", "10m");
        assertThat(env.get("AKS_AUTH_PROXY_TOKEN_REQUESTS_IN_FLIGHT")).containsEntry("value", "128");
        assertThat(env.get("AKS_AUTH_PROXY_IDP_SIGN_OUT")).containsEntry("value", "false");
        assertThat(map(env.get("AKS_AUTH_PROXY_COOKIE_SECRETS"), "valueFrom", "secretKeyRef"))
                .containsOnly(entry("name", Chart.FULLNAME), entry("key", "cookie-secrets"));
    }

    @Test
    void federatedTokenFileIsLeftToTheWebhook() {
        assertThat(rendered.env()).doesNotContainKeys("AZURE_FEDERATED_TOKEN_FILE", "AZURE_AUTHORITY_HOST");
    }

    @Test
    void noProfilesMeansNoConfigFileMounted() {
        assertThat(rendered.ofKind("ConfigMap")).isEmpty();
        assertThat(rendered.env()).doesNotContainKey("AKS_AUTH_PROXY_CONFIG");
        assertThat(Manifests.<Map<String, Object>>list(rendered.container(), "volumeMounts")).extracting(m -> m.get("mountPath"))
                .containsExactly("/tmp");
    }

    @Test
    void podTemplateCarriesConfigAndSecretChecksums() {
        assertThat(map(rendered.deployment(), "spec", "template", "metadata", "annotations"))
                .hasEntrySatisfying("checksum/config", v -> assertThat((String) v).matches("[0-9a-f]{64}"))
                .hasEntrySatisfying("checksum/secret", v -> assertThat((String) v).matches("[0-9a-f]{64}"));
    }

    @Test
    void networkPolicyAdmitsOnlyTheIngressControllerToBothPorts() {
        Map<String, Object> policy = rendered.one("NetworkPolicy");
        List<Map<String, Object>> rules = list(policy, "spec", "ingress");

        assertThat(map(policy, "spec", "podSelector", "matchLabels"))
                .isEqualTo(map(rendered.deployment(), "spec", "selector", "matchLabels"));
        assertThat(list(policy, "spec", "policyTypes")).containsExactly("Ingress");
        assertThat(rules).hasSize(2);
        assertThat(list(rules.get(0), "from")).containsExactly(
                Map.of("namespaceSelector", Map.of("matchLabels", Map.of("kubernetes.io/metadata.name", "ingress-nginx"))));
        assertThat(list(rules.get(0), "ports")).containsExactly(
                Map.of("protocol", "TCP", "port", 4180), Map.of("protocol", "TCP", "port", 4181));
    }

    @Test
    void networkPolicyAdmitsTheHelmTestPodToTheInternalPortOnly() {
        Map<String, Object> rule = Manifests.<Map<String, Object>>list(rendered.one("NetworkPolicy"), "spec", "ingress").get(1);

        assertThat(list(rule, "from")).containsExactly(Map.of("podSelector", Map.of("matchLabels",
                Map.of("app.kubernetes.io/instance", Chart.RELEASE, "app.kubernetes.io/component", "test"))));
        assertThat(list(rule, "ports")).containsExactly(Map.of("protocol", "TCP", "port", 4181));
    }

    @Test
    void disruptionBudgetKeepsOnePodOfTwo() {
        Map<String, Object> budget = rendered.one("PodDisruptionBudget");

        assertThat(map(budget, "spec")).containsEntry("minAvailable", 1).doesNotContainKey("maxUnavailable");
        assertThat(map(budget, "spec", "selector", "matchLabels"))
                .isEqualTo(map(rendered.deployment(), "spec", "selector", "matchLabels"));
    }

    @Test
    void podsSpreadOverZonesAndNodes() {
        List<Map<String, Object>> spread = list(rendered.deployment(), "spec", "template", "spec", "topologySpreadConstraints");

        assertThat(spread).extracting(c -> c.get("topologyKey"))
                .containsExactly("topology.kubernetes.io/zone", "kubernetes.io/hostname");
        assertThat(spread).allSatisfy(c -> assertThat(map(c, "labelSelector", "matchLabels"))
                .isEqualTo(map(rendered.deployment(), "spec", "selector", "matchLabels")));
    }

    @Test
    void containerHasRequestsAndLimits() {
        assertThat(map(rendered.container(), "resources", "requests")).containsOnlyKeys("cpu", "memory");
        assertThat(map(rendered.container(), "resources", "limits")).containsOnlyKeys("cpu", "memory");
    }
}
