package io.github.aksauthproxy.deploy;

import static io.github.aksauthproxy.deploy.Manifests.at;
import static io.github.aksauthproxy.deploy.Manifests.map;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The optional PrometheusRule and Grafana dashboard carry the chart's files/ unchanged: those are the files promtool
 * unit-tests and whose queries run against a real Prometheus (it/PrometheusRulesTest, it/PrometheusDashboardTest).
 */
class HelmChartMonitoringTest {

    @Test
    void neitherIsRenderedByDefault() {
        Manifests rendered = Chart.render().values("default").manifests();
        assertThat(rendered.kinds()).doesNotContain("PrometheusRule");
        assertThat(rendered.ofKind("ConfigMap")).noneMatch(c -> String.valueOf(at(c, "metadata", "name")).endsWith("-dashboard"));
    }

    @Test
    void prometheusRuleHoldsExactlyTheShippedRulesFileWithTheSelectorLabels() throws Exception {
        Manifests rendered = Chart.render().values("default").set("prometheusRule.enabled", true)
                .set("prometheusRule.labels.release", "prometheus").manifests();
        Map<String, Object> rule = rendered.one("PrometheusRule");
        assertThat(rule.get("apiVersion")).isEqualTo("monitoring.coreos.com/v1");
        assertThat((String) at(rule, "metadata", "namespace")).isEqualTo(Chart.NAMESPACE);
        assertThat(map(rule, "metadata", "labels")).containsEntry("release", "prometheus")
                .containsEntry("app.kubernetes.io/name", "aks-auth-proxy");
        Map<String, Object> shipped = new Yaml(new LoaderOptions()).load(Files.readString(Chart.DIR.resolve("files/prometheus-rules.yaml")));
        assertThat(map(rule, "spec")).isEqualTo(shipped);
        // Helm must not have read the alerts' own templates ({{ $labels.namespace }}) as its own.
        assertThat(Chart.render().values("default").set("prometheusRule.enabled", true).templateText())
                .contains("{{ with $labels.namespace }} in {{ . }}{{ end }}");
    }

    @Test
    void dashboardConfigMapCarriesTheShippedJsonForGrafanasSidecar() throws Exception {
        Manifests rendered = Chart.render().values("default").set("grafanaDashboard.enabled", true)
                .set("grafanaDashboard.namespace", "monitoring").set("grafanaDashboard.folder", "Platform").manifests();
        Map<String, Object> configMap = rendered.ofKind("ConfigMap").stream()
                .filter(c -> (Chart.FULLNAME + "-dashboard").equals(at(c, "metadata", "name"))).findFirst().orElseThrow();
        assertThat((String) at(configMap, "metadata", "namespace")).isEqualTo("monitoring");
        assertThat(map(configMap, "metadata", "labels")).containsEntry("grafana_dashboard", "1");
        assertThat(map(configMap, "metadata", "annotations")).containsExactly(Map.entry("grafana_folder", "Platform"));
        assertThat((String) at(configMap, "data", "aks-auth-proxy.json"))
                .isEqualTo(Files.readString(Chart.DIR.resolve("files/grafana-dashboard.json")).stripTrailing());
    }
}
