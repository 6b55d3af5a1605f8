package io.github.aksauthproxy.deploy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code helm lint --strict}. Lint runs in this JVM: in lint mode helm answers {@code lookup} with
 * nothing and never contacts a cluster.
 */
class HelmChartLintTest {

    @Test
    void chartAsShippedPassesStrictLint() {
        LintResult result = new Helm(Chart.DIR).lint().strict().call();

        assertThat(result.isFailed()).as("lint messages: %s", result.getMessages()).isFalse();
        assertThat(result.getMessages()).noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
    }

    static List<String> ciScenarios() {
        return Chart.ciScenarios();
    }

    /**
     * What {@code helm lint --strict -f ci/<scenario>-values.yaml} (and chart-testing's {@code ct lint})
     * checks. helm-java's lint takes no values file, so a copy of the chart gets the scenario merged into
     * its values.yaml.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("ciScenarios")
    void chartPassesStrictLintWithEachCiScenario(String scenario, @TempDir Path tmp) throws IOException {
        Path copy = copyChart(tmp);
        Yaml yaml = new Yaml(new LoaderOptions());
        Map<String, Object> defaults = yaml.load(Files.readString(Chart.DIR.resolve("values.yaml")));
        Map<String, Object> overrides = yaml.load(Files.readString(Chart.ciValues(scenario)));
        DumperOptions dump = new DumperOptions();
        dump.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        Files.writeString(copy.resolve("values.yaml"), new Yaml(dump).dump(merge(defaults, overrides)));

        LintResult result = new Helm(copy).lint().strict().call();

        assertThat(result.isFailed()).as("lint messages: %s", result.getMessages()).isFalse();
        assertThat(result.getMessages()).noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
    }

    @Test
    void lintFailsOnValuesTheSchemaRejects(@TempDir Path tmp) throws IOException {
        Path copy = copyChart(tmp);
        Files.writeString(copy.resolve("values.yaml"),
                Files.readString(copy.resolve("values.yaml")).replace("internal: 4181", "internal: 99999"));

        LintResult result = new Helm(copy).lint().strict().call();

        assertThat(result.isFailed()).isTrue();
        assertThat(String.join("\n", result.getMessages())).contains("/ports/internal");
    }

    static Path copyChart(Path target) throws IOException {
        Path copy = target.resolve("aks-auth-proxy");
        try (Stream<Path> files = Files.walk(Chart.DIR)) {
            for (Path source : files.toList()) {
                Path destination = copy.resolve(Chart.DIR.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(destination);
                } else {
                    Files.copy(source, destination);
                }
            }
        }
        return copy;
    }

    /** Helm's coalescing for plain values: maps merge key by key, anything else is replaced. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> override) {
        Map<String, Object> merged = new LinkedHashMap<>(base);
        override.forEach((key, value) -> {
            if (value instanceof Map && merged.get(key) instanceof Map) {
                merged.put(key, merge((Map<String, Object>) merged.get(key), (Map<String, Object>) value));
            } else {
                merged.put(key, value);
            }
        });
        return merged;
    }
}
