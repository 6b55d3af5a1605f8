package io.github.aksauthproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.aksauthproxy.config.ConfigLoaderTest;
import io.github.aksauthproxy.it.ChildJvm;
import io.github.aksauthproxy.it.ServiceUnderTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} as Kubernetes stops it: SIGTERM to the process. The pod's grace period is short and a rolling update
 * waits for every old pod, so the process must be gone within a few seconds of its shutdown delay, without an
 * exception on its way out.
 */
class ServeShutdownTest {
    static final Duration PROMPT = Duration.ofSeconds(4);

    @Test
    void sigtermStopsServeWithinSecondsAndWithoutAnException(@TempDir Path dir) throws Exception {
        Map<String, String> env = ConfigLoaderTest.minimal();
        env.remove("AZURE_FEDERATED_TOKEN_FILE");
        env.put("AKS_AUTH_PROXY_CLIENT_SECRET", "not-used-here");
        env.put("AKS_AUTH_PROXY_LISTEN_ADDRESS", "127.0.0.1");
        env.put("AKS_AUTH_PROXY_PUBLIC_PORT", String.valueOf(ServiceUnderTest.freePort()));
        env.put("AKS_AUTH_PROXY_INTERNAL_PORT", String.valueOf(ServiceUnderTest.freePort()));
        // Requests are still answered this long after SIGTERM while /readyz fails (GracefulShutdownTest); then it stops.
        env.put("AKS_AUTH_PROXY_SHUTDOWN_DELAY", "1s");
        // Nothing listens there: the service starts anyway and reports Entra's discovery as unavailable.
        env.put("AKS_AUTH_PROXY_OIDC_DISCOVERY_URL", "https://127.0.0.1:" + ServiceUnderTest.freePort()
                + "/tenant/v2.0/.well-known/openid-configuration");
        try (ChildJvm serve = ChildJvm.start(Main.class, List.of("serve"), env, true, dir)) {
            // The test class path holds logback-test.xml (plain lines), so the event is matched in that format.
            serve.awaitOutput("event=\"started\"", Duration.ofSeconds(60));
            Duration delay = Duration.ofSeconds(1);
            assertThat(serve.sigterm(delay.plus(PROMPT))).isLessThan(delay.plus(PROMPT));
            // The unreachable discovery document is reported by name (ConnectException) and is expected here.
            assertThat(serve.output()).doesNotContain("TimeoutException", "RejectedExecutionException", "Exception in thread", "\tat ");
        }
    }
}
