package io.github.aksauthproxy.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One render request for the aks-auth-proxy chart: {@code Chart.render().values("default").set(..)}
 * then {@link #manifests()} when it must succeed or {@link #error()} when it must fail.
 */
final class Chart {

    /** Maven runs tests in the project directory. */
    static final Path DIR = Path.of("helm", "aks-auth-proxy").toAbsolutePath();
    static final Path CI_DIR = DIR.resolve("ci");
    /** With this release name the chart's full name is plain {@code aks-auth-proxy}, as in DESIGN.md. */
    static final String RELEASE = "aks-auth-proxy";
    static final String NAMESPACE = "auth";
    static final String FULLNAME = "aks-auth-proxy";

    /** The values of ci/default-values.yaml, which tests assert against. */
    static final String CLIENT_ID = "11111111-2222-3333-4444-555555555555";
    static final String TENANT_ID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
    static final String HOST = "auth.example.com";

    private final Path chartDir;
    private final List<String> options = new ArrayList<>();

    private Chart(Path chartDir) {
        this.chartDir = chartDir;
    }

    static Chart render() {
        return new Chart(DIR);
    }

    /** Renders another copy of the chart (for tests that must alter a template). */
    static Chart render(Path chartDir) {
        return new Chart(chartDir);
    }

    /** Adds ci/&lt;scenario&gt;-values.yaml. */
    Chart values(String scenario) {
        return valuesFile(ciValues(scenario));
    }

    Chart valuesFile(Path file) {
        options.add("values=" + file.toAbsolutePath());
        return this;
    }

    Chart set(String key, Object value) {
        options.add("set=" + key + "=" + value);
        return this;
    }

    Manifests manifests() {
        return Manifests.parse(templateText());
    }

    String templateText() {
        HelmRenderer.Outcome outcome = run("template");
        assertThat(outcome.succeeded()).as("render failed: %s", outcome.text()).isTrue();
        return outcome.text();
    }

    /** helm's message for a render that must fail. */
    String error() {
        HelmRenderer.Outcome outcome = run("template");
        assertThat(outcome.succeeded()).as("render succeeded but should have failed").isFalse();
        return outcome.text();
    }

    /** The output of a client-side dry-run install, which includes the rendered NOTES.txt. */
    String installNotes() {
        HelmRenderer.Outcome outcome = run("notes");
        assertThat(outcome.succeeded()).as("dry-run install failed: %s", outcome.text()).isTrue();
        return outcome.text();
    }

    private HelmRenderer.Outcome run(String command) {
        List<String> all = new ArrayList<>(List.of("chart=" + chartDir, "name=" + RELEASE, "namespace=" + NAMESPACE,
                "kubeVersion=" + HelmRenderer.KUBE_VERSION));
        all.addAll(options);
        return HelmRenderer.shared().run(command, all);
    }

    static FakeKubernetesApi cluster() {
        return HelmRenderer.shared().cluster();
    }

    static Path ciValues(String scenario) {
        return CI_DIR.resolve(scenario + "-values.yaml");
    }

    /** Names of the ci/*-values.yaml scenarios ("default", "full", ...). */
    static List<String> ciScenarios() {
        try (Stream<Path> files = Files.list(CI_DIR)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith("-values.yaml"))
                    .map(n -> n.substring(0, n.length() - "-values.yaml".length()))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
