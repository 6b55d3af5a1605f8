package io.github.aksauthproxy.deploy;

import io.github.aksauthproxy.config.Setting;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.github.aksauthproxy.deploy.Manifests.at;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * No Docker engine exists here, so the Dockerfile is checked by structure: pinned bases, a
 * dependency layer, the jar Maven builds, a non-root user and the service's ports, and that these
 * agree with the chart and the service's defaults.
 */
class DockerfileTest {

    /** One Dockerfile instruction, continuation lines joined. */
    record Instruction(String keyword, String arguments) {
    }

    /** A build stage: its base image reference, its alias, its instructions after FROM. */
    record Stage(String image, String alias, List<Instruction> instructions) {
        List<Instruction> all(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
        }
    }

    private static List<Stage> stages;

    @BeforeAll
    static void parse() throws IOException {
        stages = parse(Files.readAllLines(Path.of("Dockerfile")));
    }

    static List<Stage> parse(List<String> lines) {
        List<Instruction> instructions = new ArrayList<>();
        StringBuilder pending = new StringBuilder();
        for (String raw : lines) {
            String line = raw.strip();
            if (line.startsWith("#") || (line.isEmpty() && pending.isEmpty())) {
                continue;
            }
            if (line.endsWith("\\")) {
                pending.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            pending.append(line);
            String[] parts = pending.toString().strip().split("\\s+", 2);
            instructions.add(new Instruction(parts[0].toUpperCase(Locale.ROOT), parts.length > 1 ? parts[1].strip() : ""));
            pending.setLength(0);
        }
        List<Stage> parsed = new ArrayList<>();
        for (Instruction instruction : instructions) {
            if (instruction.keyword().equals("FROM")) {
                String[] words = instruction.arguments().split("\\s+");
                List<String> rest = Arrays.stream(words).filter(w -> !w.startsWith("--platform")).toList();
                String alias = rest.size() >= 3 && rest.get(1).equalsIgnoreCase("AS") ? rest.get(2) : null;
                parsed.add(new Stage(rest.get(0), alias, new ArrayList<>()));
            } else {
                assertThat(parsed).as("%s before the first FROM", instruction.keyword()).isNotEmpty();
                parsed.get(parsed.size() - 1).instructions().add(instruction);
            }
        }
        return parsed;
    }

    private static Stage runtime() {
        return stages.get(stages.size() - 1);
    }

    private static Stage build() {
        return stages.get(0);
    }

    private static List<String> execForm(Instruction instruction) {
        assertThat(instruction.arguments()).as("%s must use the exec (JSON) form", instruction.keyword()).startsWith("[");
        return new Yaml(new LoaderOptions()).load(instruction.arguments());
    }

    private static int defaultPort(Setting setting) {
        return Integer.parseInt(setting.defaultValue().replaceAll("[^0-9]", ""));
    }

    @Test
    void buildsWithMavenAndJdk17AndRunsOnAJava17Jre() {
        assertThat(stages).hasSize(2);
        assertThat(build().image()).matches("maven:3\\.9(\\.\\d+)?-eclipse-temurin-17");
        assertThat(build().alias()).isEqualTo("build");
        assertThat(runtime().image()).matches("eclipse-temurin:17\\.\\d+\\.\\d+_\\d+-jre-\\w+");
    }

    @Test
    void everyBaseImageIsPinnedToAVersionTag() {
        Pattern reference = Pattern.compile("(?<name>[^:@]+(?::\\d+/[^:@]+)?)(?::(?<tag>[^@]+))?(?:@(?<digest>sha256:[0-9a-f]{64}))?");
        for (Stage stage : stages) {
            Matcher m = reference.matcher(stage.image());
            assertThat(m.matches()).as("image reference %s", stage.image()).isTrue();
            assertThat(m.group("tag") != null || m.group("digest") != null).as("%s has no tag", stage.image()).isTrue();
            if (m.group("tag") != null) {
                assertThat(m.group("tag")).as("tag of %s", stage.image()).isNotEqualTo("latest").containsPattern("\\d");
            }
        }
    }

    @Test
    void dependenciesAreResolvedInALayerOfTheirOwnBeforeTheSourcesArrive() {
        List<String> steps = build().instructions().stream()
                .filter(i -> i.keyword().equals("COPY") || i.keyword().equals("RUN"))
                .map(i -> i.keyword() + " " + i.arguments())
                .toList();

        assertThat(steps).hasSizeGreaterThanOrEqualTo(4);
        assertThat(steps.get(0)).matches("COPY pom\\.xml \\S+");
        assertThat(steps.get(1)).matches("RUN mvn .*dependency:go-offline.*");
        assertThat(steps.get(2)).matches("COPY src \\S+");
        assertThat(steps.get(3)).matches("RUN mvn -B .*package.*");
    }

    @Test
    void runtimeCopiesTheShadedJarMavenBuilds() throws IOException {
        String buildDir = build().all("WORKDIR").get(0).arguments();
        List<Instruction> copies = runtime().all("COPY");

        assertThat(Files.readString(Path.of("pom.xml"))).contains("<finalName>aks-auth-proxy</finalName>");
        assertThat(copies).hasSize(1);
        assertThat(copies.get(0).arguments()).isEqualTo("--from=build " + buildDir + "/target/aks-auth-proxy.jar /app/aks-auth-proxy.jar");
    }

    @Test
    void entrypointStartsTheJarWithContainerAwareHeapExitOnOomAndTheTrainedAotCache() {
        List<String> entrypoint = execForm(runtime().all("ENTRYPOINT").get(0));

        assertThat(entrypoint).containsExactly("java", "-XX:MaxRAMPercentage=55", "-XX:+ExitOnOutOfMemoryError",
                "-XX:SharedArchiveFile=/app/aks-auth-proxy.jsa", "-jar", "/app/aks-auth-proxy.jar");
        assertThat(execForm(runtime().all("CMD").get(0))).containsExactly("serve");
    }

    @Test
    void theAotCacheIsTrainedInTheRuntimeImageWithTheEntrypointsFlagsThroughTheBenchmarkRig() {
        List<String> entrypoint = execForm(runtime().all("ENTRYPOINT").get(0));
        String cache = entrypoint.stream().filter(a -> a.startsWith("-XX:SharedArchiveFile=")).findFirst().orElseThrow()
                .substring("-XX:SharedArchiveFile=".length());
        // The flags an archive must be made with: every one but the heap size, the OOM exit and the archive itself.
        List<String> layoutFlags = entrypoint.stream().filter(a -> a.startsWith("-XX:") && !a.startsWith("-XX:SharedArchiveFile=")
                && !a.startsWith("-XX:MaxRAMPercentage=") && !a.equals("-XX:+ExitOnOutOfMemoryError")).toList();
        List<Instruction> training = runtime().all("RUN").stream().filter(i -> i.arguments().contains("--train")).toList();

        assertThat(training).hasSize(1);
        String run = training.get(0).arguments().replaceAll("\\s+", " ");
        Matcher mount = Pattern.compile("^--mount=type=bind,from=build,source=(\\S+),target=(\\S+) ").matcher(run);
        assertThat(mount.find()).as("the rig comes from the build stage by a bind mount, so none of it stays in the image: %s", run).isTrue();
        assertThat(mount.group(1)).isEqualTo(build().all("WORKDIR").get(0).arguments() + "/target");
        String target = mount.group(2);
        assertThat(run).contains(" java -cp \"" + target + "/test-classes:" + target + "/classes:" + target + "/training-lib/*\" "
                + "io.github.aksauthproxy.bench.StartupBench --train " + cache + " --jar /app/aks-auth-proxy.jar"
                + (layoutFlags.isEmpty() ? " " : " --java-opts \"" + String.join(" ", layoutFlags) + "\""));
        assertThat(Path.of("src/test/java/io/github/aksauthproxy/bench/StartupBench.java")).isRegularFile();
        assertThat(build().all("RUN").get(1).arguments()).contains("dependency:copy-dependencies -DincludeScope=test -DoutputDirectory=target/training-lib");
        List<Instruction> steps = runtime().instructions();
        Instruction jar = runtime().all("COPY").get(0);
        assertThat(steps.indexOf(training.get(0))).as("trained after the jar arrives, as root, before USER")
                .isGreaterThan(steps.indexOf(jar)).isLessThan(steps.indexOf(runtime().all("USER").get(0)));
    }

    @Test
    void runsAsTheNonRootUserTheChartExpects() {
        List<Instruction> users = runtime().all("USER");
        Chart.cluster().reset();
        Integer chartUser = at(Chart.render().values("default").manifests().deployment(),
                "spec", "template", "spec", "securityContext", "runAsUser");

        assertThat(users).isNotEmpty();
        String user = users.get(users.size() - 1).arguments();
        assertThat(user).matches("\\d+(:\\d+)?");
        assertThat(Integer.parseInt(user.split(":")[0])).isNotZero().isEqualTo(chartUser).isEqualTo(65532);
        int userIndex = runtime().instructions().indexOf(users.get(users.size() - 1));
        int entrypointIndex = runtime().instructions().indexOf(runtime().all("ENTRYPOINT").get(0));
        assertThat(userIndex).as("USER comes before ENTRYPOINT").isLessThan(entrypointIndex);
    }

    @Test
    void exposesTheServicesDefaultPorts() throws IOException {
        List<Integer> exposed = runtime().all("EXPOSE").stream()
                .flatMap(i -> Arrays.stream(i.arguments().split("\\s+")))
                .map(p -> Integer.parseInt(p.replace("/tcp", "")))
                .toList();
        Map<String, Object> values = new Yaml(new LoaderOptions()).load(Files.readString(Chart.DIR.resolve("values.yaml")));

        assertThat(exposed).containsExactly(
                defaultPort(Setting.AKS_AUTH_PROXY_PUBLIC_PORT), defaultPort(Setting.AKS_AUTH_PROXY_INTERNAL_PORT));
        assertThat(exposed).containsExactly(4180, 4181);
        assertThat(exposed).containsExactly((Integer) at(values, "ports", "public"), (Integer) at(values, "ports", "internal"));
    }

    @Test
    void buildContextHoldsOnlyThePomAndTheSources() throws IOException {
        List<String> rules = Files.readAllLines(Path.of(".dockerignore")).stream()
                .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();

        assertThat(rules.get(0)).isEqualTo("*");
        assertThat(rules).contains("!pom.xml", "!src/").noneMatch(r -> r.startsWith("!target"));
    }
}
