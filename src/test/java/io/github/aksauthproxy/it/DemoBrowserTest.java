package io.github.aksauthproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A real browser through the demo: headless Debian Chromium, driven by playwright-core ({@link ChromiumScript}), signs
 * in on the stand-in's login page and lands on the demo app behind nginx. The screenshot is target/demo-signed-in.png.
 */
class DemoBrowserTest {

    @Test
    void newcomerSignsInOnTheLoginPageAndSeesTheDemoAppWithTheirIdentity() throws Exception {
        Path shot = Path.of("target/demo-signed-in.png").toAbsolutePath();
        Files.deleteIfExists(shot);
        try (Demo demo = Demo.start(ServiceUnderTest.freePort())) {
            List<JsonObject> results = ChromiumScript.run("sign-in.js", demo.url, shot.toString());
            JsonObject page = results.get(results.size() - 1);
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
}
