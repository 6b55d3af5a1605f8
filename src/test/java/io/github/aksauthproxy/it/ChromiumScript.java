package io.github.aksauthproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A script of src/test/resources/demo/ run by Node.js with playwright-core (installed from npm into target/playwright,
 * version pinned) driving Debian's Chromium headless. Its arguments are the caller's, then the Chromium binary and a
 * fresh user-data directory; every line it prints that is a JSON object is its result.
 */
final class ChromiumScript {
    static final String PLAYWRIGHT_CORE = "playwright-core@1.64.1";
    static final Path SCRIPTS = Path.of("src/test/resources/demo");

    private ChromiumScript() {
    }

    static List<JsonObject> run(String script, String... args) throws Exception {
        Path chromium = RequiredBinary.find("chromium", "chromium");
        Path node = RequiredBinary.find("node", "nodejs");
        Path workDir = Path.of("target/playwright").toAbsolutePath();
        installPlaywrightCore(workDir);
        try (Stream<Path> scripts = Files.list(SCRIPTS)) {
            for (Path js : scripts.filter(p -> p.toString().endsWith(".js")).toList()) {
                Files.copy(js, workDir.resolve(js.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        List<String> command = new ArrayList<>(List.of(node.toString(), workDir.resolve(script).toString()));
        command.addAll(List.of(args));
        command.add(chromium.toString());
        command.add(Files.createTempDirectory(workDir, "chromium-profile").toString());
        Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as(out).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        List<JsonObject> results = out.lines().filter(l -> l.startsWith("{")).map(JsonObject::new).toList();
        assertThat(results).as(out).isNotEmpty();
        return results;
    }

    private static void installPlaywrightCore(Path workDir) throws Exception {
        if (Files.exists(workDir.resolve("node_modules/playwright-core/package.json"))) {
            return;
        }
        Files.createDirectories(workDir);
        Path npm = RequiredBinary.find("npm", "npm");
        Process p = new ProcessBuilder(List.of(npm.toString(), "install", "--no-audit", "--no-fund", "--prefix", workDir.toString(), PLAYWRIGHT_CORE))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("npm install " + PLAYWRIGHT_CORE + ": " + out).isZero();
    }
}
