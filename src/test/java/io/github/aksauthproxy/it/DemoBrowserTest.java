package io.github.aksauthproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    /**
     * What sets the product apart, as a newcomer sees it: the cluster's RBAC decides who opens the RBAC-gated app
     * (alice may, bob may not and meets the 403 page through nginx), and whoami shows what the cluster makes of the
     * user's token. Screenshots: target/demo-rbac/*.png.
     */
    @Test
    void clusterRbacLetsAliceIntoTheGatedAppAndShowsBobTheAccessDeniedPage() throws Exception {
        Path shots = Files.createDirectories(Path.of("target/demo-rbac").toAbsolutePath());
        Map<String, JsonObject> pages = new LinkedHashMap<>();
        try (Demo demo = Demo.start(ServiceUnderTest.freePort())) {
            ChromiumScript.run("demo-rbac.js", demo.url, shots.toString()).forEach(j -> pages.put(j.getString("name"), j));
            assertThat(pages.get("rbac-allowed").getString("url")).isEqualTo(demo.url + Demo.RBAC_APP);
        }
        assertThat(pages).containsOnlyKeys("rbac-allowed", "whoami", "rbac-denied");
        assertThat(pages.get("rbac-allowed").getInteger("status")).isEqualTo(200);
        assertThat(pages.get("rbac-allowed").getString("text")).contains("Signed in as alice@contoso.example",
                "This page is the RBAC-gated app.");
        assertThat(pages.get("whoami").getInteger("status")).isEqualTo(200);
        assertThat(pages.get("whoami").getString("text")).contains("Who am I", "What the cluster sees",
                "Kubernetes user\talice@contoso.example", "system:authenticated",
                UserNameLogin.claimsFor("alice", EntraStandIn.TENANT).getJsonArray("groups").getString(0),
                "rbac\tyes\tAKS RBAC allows get services/proxy grafana in namespace monitoring");
        assertThat(pages.get("rbac-denied").getInteger("status")).isEqualTo(403);
        assertThat(pages.get("rbac-denied").getString("text")).contains("Access denied", "You are signed in as bob@contoso.example.",
                "Sign in again", "Request id").doesNotContain("RBAC-gated app.");
        for (JsonObject page : pages.values()) {
            assertThat(page.getString("text")).as(page.getString("name")).doesNotContainPattern("eyJ[A-Za-z0-9_-]{20,}\\.eyJ");
            assertThat(shots.resolve(page.getString("name") + ".png")).exists();
        }
    }
}
