package io.github.aksauthproxy.deploy;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.github.aksauthproxy.deploy.Manifests.at;
import static io.github.aksauthproxy.deploy.Manifests.list;
import static io.github.aksauthproxy.deploy.Manifests.map;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code helm test} pod. helm-java's template output leaves out hooks, so this renders a copy of
 * the chart whose test template has its hook annotation key renamed to {@code x-test.helm.sh/hook}:
 * the pod then renders like any object and the renamed annotation still shows what the chart sets.
 */
class HelmTestHookTest {

    private static Map<String, Object> pod;
    private static Map<String, Object> networkPolicy;

    @BeforeAll
    static void render(@TempDir Path tmp) throws IOException {
        Path copy = HelmChartLintTest.copyChart(tmp);
        Path template = copy.resolve("templates/tests/test-readyz.yaml");
        String original = Files.readString(template);
        assertThat(original).contains("    helm.sh/hook: test");
        Files.writeString(template, original.replace("    helm.sh/hook:", "    x-test.helm.sh/hook:"));

        Chart.cluster().reset();
        Manifests rendered = Chart.render(copy).values("default").manifests();
        pod = rendered.one("Pod");
        networkPolicy = rendered.one("NetworkPolicy");
    }

    @Test
    void isATestHook() {
        assertThat(map(pod, "metadata", "annotations")).containsEntry("x-test.helm.sh/hook", "test");
    }

    @Test
    void asksReadyzOnTheInternalPortThroughTheService() {
        List<String> command = list(pod, "spec", "containers", 0, "command");

        assertThat(command).last().isEqualTo("http://aks-auth-proxy.auth.svc.cluster.local:4181/readyz");
        assertThat(command.get(0)).isEqualTo("wget");
        assertThat((String) at(pod, "spec", "restartPolicy")).isEqualTo("Never");
    }

    @Test
    void isAdmittedByTheNetworkPolicyButNotSelectedByTheService() {
        Map<String, Object> labels = map(pod, "metadata", "labels");
        Map<String, Object> admittedTestPods = map(networkPolicy, "spec", "ingress", 1, "from", 0, "podSelector", "matchLabels");
        Map<String, Object> proxyPods = map(networkPolicy, "spec", "podSelector", "matchLabels");

        assertThat(admittedTestPods).isNotEmpty();
        assertThat(labels).containsAllEntriesOf(admittedTestPods);
        assertThat(labels.entrySet().containsAll(proxyPods.entrySet()))
                .as("test pod labels %s must not match the Service selector %s", labels, proxyPods).isFalse();
    }

    @Test
    void runsAsNonRootWithoutPrivileges() {
        assertThat(map(pod, "spec", "securityContext")).containsEntry("runAsNonRoot", true).containsEntry("runAsUser", 65532);
        assertThat(map(pod, "spec", "containers", 0, "securityContext"))
                .containsEntry("allowPrivilegeEscalation", false).containsEntry("readOnlyRootFilesystem", true);
        assertThat((String) at(pod, "spec", "containers", 0, "image")).isEqualTo("busybox:1.37.0");
    }
}
