package io.github.aksauthproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.aksauthproxy.entra.AadstsExplanations;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The alerts the chart ships (helm/aks-auth-proxy/files/prometheus-rules.yaml, the very file its PrometheusRule
 * holds) checked and unit-tested by Debian's promtool: each alert fires on made-up series that should page someone
 * and stays quiet on series that should not (src/test/resources/prometheus/rules-test.yaml).
 */
class PrometheusRulesTest {
    static final Path RULES = Path.of("helm/aks-auth-proxy/files/prometheus-rules.yaml");
    static final Path UNIT_TESTS = Path.of("src/test/resources/prometheus/rules-test.yaml");

    @TempDir
    Path dir;

    @Test
    void promtoolFindsTheRulesValid() throws Exception {
        Files.copy(RULES, dir.resolve("prometheus-rules.yaml"));
        Result r = promtool("check", "rules", "prometheus-rules.yaml");
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("SUCCESS: " + alerts().size() + " rules found");
    }

    @Test
    void everyAlertFiresWhereItShouldAndNowhereElseInPromtoolsUnitTests() throws Exception {
        Files.copy(RULES, dir.resolve("prometheus-rules.yaml"));
        Files.writeString(dir.resolve("rules-test.yaml"), withPlainAnnotations(), StandardCharsets.UTF_8);
        Result r = promtool("test", "rules", "rules-test.yaml");
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("SUCCESS");
    }

    /** An alert added without its tests fails here: the unit tests must show it firing and not firing. */
    @Test
    void everyAlertHasAUnitTestThatFiresItAndOneThatDoesNot() throws Exception {
        Set<String> firing = new TreeSet<>();
        Set<String> quiet = new TreeSet<>();
        for (Map<String, Object> test : list(load(UNIT_TESTS), "tests")) {
            for (Map<String, Object> check : list(test, "alert_rule_test")) {
                (list(check, "exp_alerts").isEmpty() ? quiet : firing).add((String) check.get("alertname"));
            }
        }
        Set<String> alerts = alerts().keySet();
        assertThat(firing).as("alerts shown firing").isEqualTo(alerts);
        assertThat(quiet).as("alerts shown not firing").isEqualTo(alerts);
    }

    /** Every alert tells the person paged what it means and what to do. */
    @Test
    void everyAlertHasASeveritySummaryDescriptionAndRunbook() throws Exception {
        for (Map.Entry<String, Map<String, Object>> alert : alerts().entrySet()) {
            assertThat(map(alert.getValue(), "labels")).as(alert.getKey()).containsKey("severity");
            assertThat((String) map(alert.getValue(), "labels").get("severity")).as(alert.getKey()).isIn("critical", "warning");
            Map<String, Object> annotations = map(alert.getValue(), "annotations");
            assertThat(annotations.keySet()).as(alert.getKey()).containsExactly("summary", "description", "runbook");
            assertThat((String) annotations.get("runbook")).as(alert.getKey()).startsWith("1. ").contains("\n2. ");
        }
    }

    /** The explanation an alert gives for an AADSTS code is the one the service prints (token command, logs). */
    @Test
    void aadstsExplanationsInTheAlertsAreTheServicesOwn() throws Exception {
        Matcher m = Pattern.compile("eq \\$labels\\.aadsts \"(AADSTS\\d+)\" }}([^{]*)").matcher(Files.readString(RULES));
        List<String> codes = new ArrayList<>();
        while (m.find()) {
            codes.add(m.group(1));
            assertThat(m.group(2).strip()).as(m.group(1)).isEqualTo(AadstsExplanations.explain(m.group(1)).orElseThrow());
        }
        assertThat(codes).contains("AADSTS70021", "AADSTS700024", "AADSTS65001");
        String expr = (String) alerts().get("AksAuthProxyEntraRefusesTheService").get("expr");
        for (String code : codes) {
            assertThat(expr).as("the alert matches every code it explains").contains(code.substring("AADSTS".length()));
        }
    }

    /**
     * promtool compares every annotation of a firing alert. The unit tests state the ones rendered from templates;
     * the rule's plain-text ones (no template) are added here from the rules file, so the runbooks live in one place.
     */
    private String withPlainAnnotations() throws Exception {
        Map<String, Map<String, Object>> alerts = alerts();
        Map<String, Object> tests = load(UNIT_TESTS);
        for (Map<String, Object> test : list(tests, "tests")) {
            for (Map<String, Object> check : list(test, "alert_rule_test")) {
                Map<String, Object> rule = alerts.get((String) check.get("alertname"));
                assertThat(rule).as("a unit test names an alert that does not exist: " + check.get("alertname")).isNotNull();
                for (Map<String, Object> expected : list(check, "exp_alerts")) {
                    Map<String, Object> annotations = new LinkedHashMap<>();
                    map(rule, "annotations").forEach((k, v) -> {
                        if (!((String) v).contains("{{")) {
                            annotations.put(k, v);
                        }
                    });
                    if (expected.get("exp_annotations") instanceof Map<?, ?> stated) {
                        stated.forEach((k, v) -> annotations.put((String) k, v));
                    }
                    expected.put("exp_annotations", annotations);
                }
            }
        }
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        return new Yaml(options).dump(tests);
    }

    /** Every alert rule of the file by name. */
    static Map<String, Map<String, Object>> alerts() throws Exception {
        Map<String, Map<String, Object>> alerts = new LinkedHashMap<>();
        for (Map<String, Object> group : list(load(RULES), "groups")) {
            for (Map<String, Object> rule : list(group, "rules")) {
                if (rule.containsKey("alert")) {
                    assertThat(alerts.put((String) rule.get("alert"), rule)).as("alert names are unique").isNull();
                }
            }
        }
        return alerts;
    }

    static Map<String, Object> load(Path yaml) throws Exception {
        return new Yaml().load(Files.readString(yaml));
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v == null ? List.of() : (List<Map<String, Object>>) v;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v == null ? Map.of() : (Map<String, Object>) v;
    }

    private record Result(int exit, String output) {
    }

    private Result promtool(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(RequiredBinary.find("promtool", "prometheus").toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }
}
