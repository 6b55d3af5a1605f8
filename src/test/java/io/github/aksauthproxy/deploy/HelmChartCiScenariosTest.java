package io.github.aksauthproxy.deploy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

import java.util.List;
import java.util.Map;

import static io.github.aksauthproxy.deploy.Manifests.at;
import static io.github.aksauthproxy.deploy.Manifests.list;
import static io.github.aksauthproxy.deploy.Manifests.map;
import static org.assertj.core.api.Assertions.assertThat;

/** Properties every ci/*-values.yaml scenario must keep, whatever it switches on. */
class HelmChartCiScenariosTest {

    static List<String> ciScenarios() {
        return Chart.ciScenarios();
    }

    private static Manifests render(String scenario) {
        Chart.cluster().reset();
        return Chart.render().values(scenario).manifests();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ciScenarios")
    void everyObjectIsInTheReleaseNamespaceWithStandardLabels(String scenario) {
        for (Map<String, Object> object : render(scenario).all()) {
            assertThat((String) at(object, "metadata", "namespace")).as("%s", object.get("kind")).isEqualTo(Chart.NAMESPACE);
            assertThat(map(object, "metadata", "labels")).as("%s", object.get("kind"))
                    .containsEntry("app.kubernetes.io/name", "aks-auth-proxy")
                    .containsEntry("app.kubernetes.io/instance", Chart.RELEASE)
                    .containsEntry("app.kubernetes.io/managed-by", "Helm")
                    .containsKeys("app.kubernetes.io/version", "helm.sh/chart");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ciScenarios")
    void noIngressRoutesTheAuthEndpoint(String scenario) {
        for (Map<String, Object> ingress : render(scenario).ofKind("Ingress")) {
            assertThat(new Yaml().dump(ingress)).doesNotContain("/oauth2/auth");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ciScenarios")
    void networkPolicyNeverAdmitsEveryone(String scenario) {
        Manifests rendered = render(scenario);
        for (Map<String, Object> rule : Manifests.<Map<String, Object>>list(rendered.one("NetworkPolicy"), "spec", "ingress")) {
            List<Map<String, Object>> peers = list(rule, "from");
            assertThat(peers).as("a rule without peers admits every pod").isNotEmpty();
            assertThat(peers).allSatisfy(peer -> assertThat(
                    at(peer, "namespaceSelector", "matchLabels", "kubernetes.io/metadata.name") != null
                            || "test".equals(at(peer, "podSelector", "matchLabels", "app.kubernetes.io/component")))
                    .as("peer %s", peer).isTrue());
            assertThat(list(rule, "ports")).as("a rule without ports admits every port").isNotEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ciScenarios")
    void podsRunAsNonRootOnAReadOnlyRoot(String scenario) {
        Manifests rendered = render(scenario);
        assertThat(map(rendered.deployment(), "spec", "template", "spec", "securityContext"))
                .containsEntry("runAsNonRoot", true).containsEntry("runAsUser", 65532);
        assertThat(map(rendered.container(), "securityContext"))
                .containsEntry("readOnlyRootFilesystem", true).containsEntry("allowPrivilegeEscalation", false);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ciScenarios")
    void cookieSecretsComeFromASecretKeyNamedCookieSecrets(String scenario) {
        Manifests rendered = render(scenario);
        Map<String, Object> ref = map(rendered.env().get("AKS_AUTH_PROXY_COOKIE_SECRETS"), "valueFrom", "secretKeyRef");

        assertThat(ref).containsEntry("key", "cookie-secrets");
        for (Map<String, Object> secret : rendered.ofKind("Secret")) {
            assertThat((String) at(secret, "metadata", "name")).isEqualTo(ref.get("name"));
            assertThat(map(secret, "data")).containsOnlyKeys("cookie-secrets");
        }
    }
}
