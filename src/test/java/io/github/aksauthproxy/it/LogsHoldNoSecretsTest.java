package io.github.aksauthproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Runs after every other test class (junit-platform.properties orders classes by {@link Order}; this one is
 * last) and scans every line the whole run logged, in production's JSON format (logback-test.xml writes them to
 * {@link #LOG_FILE}, and JVMs the tests start to {@link #CHILD_LOGS}), for every secret the harness saw
 * ({@link SecretsSeen}).
 */
@Order(Integer.MAX_VALUE)
class LogsHoldNoSecretsTest {
    static final Path LOG_FILE = Path.of("target", "all-test-logs.jsonl");
    /** Where JVMs started by the tests (the token and sidecar commands) log. */
    static final Path CHILD_LOGS = Path.of("target", "child-test-logs");
    /** OAuth parameters whose values are secrets, in token requests, responses and callback URLs. */
    static final Set<String> SECRET_FIELDS = Set.of("code", "code_verifier", "client_assertion", "client_secret", "refresh_token",
            "access_token", "id_token", "assertion");

    @Test
    void noLogLineOfTheWholeRunHoldsATokenCookieCodeAssertionOrKey() throws Exception {
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(LOG_FILE, StandardCharsets.UTF_8));
        if (Files.isDirectory(CHILD_LOGS)) {
            try (java.util.stream.Stream<Path> children = Files.list(CHILD_LOGS)) {
                for (Path child : children.sorted().toList()) {
                    lines.addAll(Files.readAllLines(child, StandardCharsets.UTF_8));
                }
            }
        }
        List<String> secrets = Files.readAllLines(SecretsSeen.FILE, StandardCharsets.UTF_8);
        // The scan means something only after the integration tests ran and logged their sign-ins.
        assertThat(lines).anyMatch(l -> l.contains("\"event\":\"login.success\""));
        assertThat(secrets.size()).isGreaterThan(20);
        assertThat(LogScanner.scan(lines, secrets)).isEmpty();
    }
}
