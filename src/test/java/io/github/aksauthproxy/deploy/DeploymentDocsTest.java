package io.github.aksauthproxy.deploy;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.github.aksauthproxy.deploy.Manifests.at;
import static org.assertj.core.api.Assertions.assertThat;

/** docs/deploy-aks.md and the chart README say what the chart actually does. */
class DeploymentDocsTest {

    private static final Path GUIDE = Path.of("docs", "deploy-aks.md");
    private static final Path CHART_README = Chart.DIR.resolve("README.md");
    /** Values that are free-form maps: documented as one key. */
    private static final Set<String> FREE_FORM = Set.of("resources", "ingress.annotations");
    /** The AADSTS codes DOMAIN.md lists as worth explaining. */
    private static final List<String> AADSTS_CODES = List.of("50011", "65001", "50076", "50079", "70021", "700016",
            "700024", "7000215", "700082", "50173", "70000", "70008");

    private static String guide;
    private static String readme;
    private static Set<String> valueKeys;

    @BeforeAll
    static void read() throws IOException {
        guide = Files.readString(GUIDE);
        readme = Files.readString(CHART_README);
        Map<String, Object> values = new Yaml(new LoaderOptions()).load(Files.readString(Chart.DIR.resolve("values.yaml")));
        valueKeys = new LinkedHashSet<>();
        collectKeys("", values, valueKeys);
    }

    @SuppressWarnings("unchecked")
    private static void collectKeys(String prefix, Map<String, Object> map, Set<String> keys) {
        map.forEach((key, value) -> {
            String path = prefix + key;
            if (value instanceof Map<?, ?> nested && !nested.isEmpty() && !FREE_FORM.contains(path)) {
                collectKeys(path + ".", (Map<String, Object>) nested, keys);
            } else {
                keys.add(path);
            }
        });
    }

    private static List<String> matches(String text, String regex) {
        List<String> found = new ArrayList<>();
        Matcher m = Pattern.compile(regex).matcher(text);
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }

    /** Shell commands of the text that start with {@code helm}, continuation lines joined. */
    private static List<String> helmCommands(String text) {
        List<String> commands = new ArrayList<>();
        StringBuilder command = new StringBuilder();
        for (String line : text.split("\n")) {
            command.append(line.strip());
            if (line.strip().endsWith("\\")) {
                command.setLength(command.length() - 1);
                command.append(' ');
                continue;
            }
            if (command.toString().startsWith("helm ")) {
                commands.add(command.toString());
            }
            command.setLength(0);
        }
        return commands;
    }

    @Test
    void everyValueTheGuideSetsExists() {
        List<String> set = matches(String.join("\n", helmCommands(guide + "\n" + readme)),
                "--set '?([A-Za-z0-9_.]+)(?:\\[\\d+])?=");

        assertThat(set).contains("azure.clientId", "azure.tenantId", "host", "cookie.domain");
        assertThat(valueKeys).containsAll(set);
    }

    @Test
    void readmeDocumentsEveryValueAndNothingElse() {
        List<String> documented = matches(readme, "(?m)^\\| `([A-Za-z0-9_.]+)` \\|");

        assertThat(documented).containsExactlyInAnyOrderElementsOf(valueKeys);
    }

    @Test
    void guideExplainsEveryAadstsCodeInItsTable() {
        for (String code : AADSTS_CODES) {
            assertThat(guide).containsPattern("(?m)^\\| [^|]*AADSTS" + code + "\\b[^|]*\\|");
        }
    }

    @Test
    void federatedCredentialSubjectIsTheServiceAccountTheChartCreates() {
        Chart.cluster().reset();
        String account = at(Chart.render().values("default").manifests().one("ServiceAccount"), "metadata", "name");

        assertThat(guide).contains("`system:serviceaccount:" + Chart.NAMESPACE + ":" + account + "`")
                .contains("SERVICE_ACCOUNT=" + account + " ")
                .contains("NAMESPACE=" + Chart.NAMESPACE + "\n")
                .contains("api://AzureADTokenExchange");
    }

    @Test
    void annotationsInTheGuideAreTheOnesTheChartPrints() {
        Chart.cluster().reset();
        String notes = Chart.render().values("default").installNotes() + Chart.render().values("full").installNotes();
        List<String> annotations = matches(guide, "(?m)^\\s+(nginx\\.ingress\\.kubernetes\\.io/[a-z-]+: \".*\")$");

        assertThat(annotations).hasSizeGreaterThanOrEqualTo(5);
        assertThat(annotations).allSatisfy(line -> assertThat(notes).contains(line));
    }

    @Test
    void guideNeverRoutesTheAuthEndpointPublicly() {
        assertThat(matches(guide, "(?m)^\\s+- path: (\\S+)")).doesNotContain("/oauth2/auth");
    }
}
