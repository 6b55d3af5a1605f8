package io.github.aksauthproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.aksauthproxy.config.ConfigLoaderTest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CommandLineTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(Object command, String... args) {
        CommandLine cl = new CommandLine(command);
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    @Test
    void keygenPrintsAFreshBase64KeyOf32Bytes() {
        assertThat(run(new Main(), "keygen")).isZero();
        String first = out.toString().trim();
        assertThat(Base64.getDecoder().decode(first)).hasSize(32);
        out.getBuffer().setLength(0);
        run(new Main(), "keygen");
        assertThat(out.toString().trim()).isNotEqualTo(first);
    }

    @Test
    void checkConfigPrintsEveryProblemAndExitsOne() {
        assertThat(run(new CheckConfigCommand(Map.of("AKS_AUTH_PROXY_PUBLIC_PORT", "x")))).isEqualTo(1);
        assertThat(err.toString()).startsWith("The configuration has 6 problems:")
                .contains("  - AZURE_CLIENT_ID: is required").contains("  - AKS_AUTH_PROXY_PUBLIC_PORT: 'x' is not a whole number");
    }

    @Test
    void checkConfigAcceptsAValidConfiguration() {
        assertThat(run(new CheckConfigCommand(ConfigLoaderTest.minimal()))).isZero();
        assertThat(out.toString()).startsWith("configuration is valid: credential workload-identity, public port 4180, internal port 4181");
    }

    @Test
    void unknownCommandIsAUsageError() {
        assertThat(run(new Main(), "serv")).isEqualTo(2);
        assertThat(err.toString()).contains("Unmatched argument").contains("serve");
    }
}
