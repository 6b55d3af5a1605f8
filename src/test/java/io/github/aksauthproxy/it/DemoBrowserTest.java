package io.github.aksauthproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A real browser through the demo: headless Debian Chromium, driven by playwright-core (installed from npm into
 * target/playwright, version pinned), signs in on the stand-in's login page and lands on the demo app behind nginx.
 * The screenshot is target/demo-signed-in.png.
 */
class DemoBrowserTest {
    static final String PLAYWRIGHT_CORE = "playwright-core@1.64.1";

    @Test
    void newcomerSignsInOnTheLoginPageAndSeesTheDemoAppWithTheirIdentity() throws Exception {
        Path chromium = RequiredBinary.find("chromium", "chromium");
        Path node = RequiredBinary.find("node", "nodejs");
        Path workDir = Path.of("target/playwright").toAbsolutePath();
        installPlaywrightCore(workDir);
        Path script = workDir.resolve("sign-in.js");
        Files.copy(Path.of("src/test/resources/demo/sign-in.js"), script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path shot = Path.of("target/demo-signed-in.png").toAbsolutePath();
        Files.deleteIfExists(shot);
        Path profile = Files.createTempDirectory(workDir, "chromium-profile");

        try (Demo demo = Demo.start(ServiceUnderTest.freePort())) {
            Process p = new ProcessBuilder(node.toString(), script.toString(), demo.url, shot.toString(), chromium.toString(), profile.toString())
                    .directory(workDir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            JsonObject page = new JsonObject(out.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow(() -> new AssertionError(out)));
            assertThat(page.getString("url")).isEqualTo(demo.url + "/team/board?view=mine");
            String text = page.getString("text");
            assertThat(text).contains("Signed in as dana.newcomer@contoso.example")
                    .contains("X-Auth-Request-Oid").contains(UserNameLogin.claimsFor("Dana Newcomer", EntraStandIn.TENANT).getString("oid"))
                    .contains("\"aud\" : \"6dae42f8-4368-4678-94ff-3960e28e3630\"")
                    .doesNotContainPattern("eyJ[A-Za-z0-9_-]{20,}\\.eyJ");
        }
        assertThat(shot).exists();
        assertThat(Files.size(shot)).isGreaterThan(1000);
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
