package io.github.aksauthproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.aksauthproxy.it.EntraStandIn;
import io.github.aksauthproxy.it.MutableClock;
import io.github.aksauthproxy.it.ServiceUnderTest;
import io.github.aksauthproxy.it.SidecarProxyTest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** How the {@code sidecar} command starts, or refuses to. */
class SidecarCommandTest {
    @TempDir
    Path dir;
    EntraStandIn idp;
    Map<String, String> env;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    @BeforeEach
    void start() throws Exception {
        idp = new EntraStandIn();
        Path tokenFile = dir.resolve("azure-identity-token");
        ServiceUnderTest.writeAssertion(tokenFile, "first", new MutableClock(Instant.now()));
        env = SidecarProxyTest.sidecarEnv(idp, dir, tokenFile, "https://localhost:1", idp.writeCaFile(dir));
    }

    @AfterEach
    void stop() {
        idp.close();
    }

    private int run(Object command, String... args) {
        CommandLine cl = new CommandLine(command);
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    @Test
    void idpDownAtStartExitsNonZeroWithinSecondsWithAClearMessage() {
        idp.close();
        long started = System.nanoTime();
        assertThat(run(new SidecarCommand(env))).isEqualTo(1);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        assertThat(err.toString()).isEqualTo("aks-auth-proxy sidecar could not start: no token for scope "
                + SidecarProxyTest.SCOPE + ": Entra could not be reached or the federated token file could not be read (ConnectException)\n");
    }

    @Test
    void badConfigurationIsReportedAtStartNamingEachVariable() {
        breakConfiguration();
        assertThat(run(new SidecarCommand(env))).isEqualTo(1);
        assertThreeProblemsNamed();
        assertThat(idp.tokenRequests("client_credentials")).isEmpty();
    }

    @Test
    void badConfigurationIsReportedByCheckConfigInSidecarMode() {
        breakConfiguration();
        assertThat(run(new CheckConfigCommand(env), "--mode", "sidecar")).isEqualTo(1);
        assertThreeProblemsNamed();
    }

    @Test
    void checkConfigAcceptsASidecarConfigurationWithoutTheServeSettings() {
        assertThat(run(new CheckConfigCommand(env), "--mode", "sidecar")).isZero();
        assertThat(out.toString()).isEqualTo("sidecar configuration is valid: credential workload-identity, address 127.0.0.1, port "
                + env.get("AKS_AUTH_PROXY_SIDECAR_PORT") + ", scope " + SidecarProxyTest.SCOPE + ", upstream https://localhost:1, path prefix /\n");
        assertThat(run(new CheckConfigCommand(env))).as("serve needs its own settings").isEqualTo(1);
        assertThat(err.toString()).contains("AKS_AUTH_PROXY_REDIRECT_URL: is required");
    }

    @Test
    void checkConfigRefusesASidecarListenAddressThatIsNotAnIpAddress() {
        env.put("AKS_AUTH_PROXY_SIDECAR_LISTEN_ADDRESS", "sidecar.example");
        assertThat(run(new CheckConfigCommand(env), "--mode", "sidecar")).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("The configuration has 1 problem:\n  - AKS_AUTH_PROXY_SIDECAR_LISTEN_ADDRESS: 'sidecar.example' "
                + "is not an IP address; write it like 127.0.0.1 or, only behind a NetworkPolicy, 0.0.0.0\n");
    }

    private void breakConfiguration() {
        env.remove("AKS_AUTH_PROXY_SIDECAR_SCOPE");
        env.put("AZURE_FEDERATED_TOKEN_FILE", dir.resolve("not-mounted").toString());
        env.put("AKS_AUTH_PROXY_SIDECAR_UPSTREAM", "http://prometheus.example:9090");
    }

    private void assertThreeProblemsNamed() {
        assertThat(err.toString()).startsWith("The configuration has 3 problems:\n")
                .contains("  - AZURE_FEDERATED_TOKEN_FILE: cannot read '" + dir.resolve("not-mounted") + "'")
                .contains("  - AKS_AUTH_PROXY_SIDECAR_SCOPE: is required")
                .contains("  - AKS_AUTH_PROXY_SIDECAR_UPSTREAM: 'http://prometheus.example:9090' is not https")
                .doesNotContain("AKS_AUTH_PROXY_REDIRECT_URL").doesNotContain("AKS_AUTH_PROXY_COOKIE_SECRETS");
    }
}
