package io.github.aksauthproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo as a newcomer runs it ({@code mvn -q test-compile exec:java} runs {@link Demo#main}) and stops it: Ctrl-C
 * or SIGTERM. It must be gone within seconds, nginx with it, and say nothing alarming on the way out.
 */
class DemoShutdownTest {
    static final Duration PROMPT = Duration.ofSeconds(4);

    @Test
    void sigtermStopsTheDemoAndItsNginxWithinSecondsWithoutAnException(@TempDir Path dir) throws Exception {
        int port = ServiceUnderTest.freePort();
        try (ChildJvm demo = ChildJvm.start(Demo.class, List.of(), Map.of("DEMO_PORT", String.valueOf(port)), false, dir)) {
            demo.awaitOutput("Ctrl-C stops it", Duration.ofSeconds(90));
            String url = "http://localhost:" + port;
            assertThat(demo.output()).as("the start-up message lists what to open and which user names to type")
                    .contains("  " + url + "/  ", "  " + url + "/rbac/  ", "  " + url + "/oauth2/whoami  ", "  " + url + "/oauth2/sign_out  ",
                            "Type \"alice\" to be let in; \"bob\" (any other name) gets the 403 page", "SelfSubjectReview");
            assertThat(demo.process().descendants().map(p -> p.info().command().orElse(""))).anyMatch(c -> c.endsWith("nginx"));
            // SIGTERM; Ctrl-C's SIGINT runs the same shutdown hooks.
            assertThat(demo.sigterm(PROMPT)).isLessThan(PROMPT);
            assertThat(demo.output()).doesNotContain("Exception").doesNotContain("\tat ").contains("demo stopped");
            assertThat(ServiceUnderTest.isListening(port)).as("nginx is gone").isFalse();
        }
    }
}
