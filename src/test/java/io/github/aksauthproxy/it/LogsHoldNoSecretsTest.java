package io.github.aksauthproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.status.Status;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Runs after every other test class (junit-platform.properties orders classes by {@link Order}; this one is
 * last) and checks every line the whole run logged: logback-test.xml writes each event in production's JSON format
 * to {@link #LOG_FILE} and in the plain layout beside it, and JVMs the tests start do the same under
 * {@link #CHILD_LOGS}. Each JSON file must hold one JSON object per event (as many lines as its plain twin: an event
 * the encoder could not write is missing there), and no line of either may hold a secret the harness saw
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
    void everyEventOfTheWholeRunIsOneJsonLineAndTheEncoderReportedNoError() throws Exception {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        assertThat(context.getStatusManager().getCopyOfStatusList())
                .filteredOn(s -> s.getLevel() >= Status.WARN && s.getOrigin() instanceof Encoder).isEmpty();
        for (Path json : jsonFiles()) {
            List<String> jsonLines = settledLines(json);
            assertThat(jsonLines).as("%s: a JSON object on every line", json)
                    .allSatisfy(l -> assertThat(new JsonObject(l).fieldNames()).contains("time", "level", "logger"));
            assertThat(jsonLines.size()).as("%s: as many events as in the plain layout", json).isEqualTo(settledLines(plainTwin(json)).size());
        }
    }

    @Test
    void noLogLineOfTheWholeRunHoldsATokenCookieCodeAssertionOrKey() throws Exception {
        List<String> lines = new ArrayList<>();
        for (Path json : jsonFiles()) {
            lines.addAll(Files.readAllLines(json, StandardCharsets.UTF_8));
            lines.addAll(Files.readAllLines(plainTwin(json), StandardCharsets.UTF_8));
        }
        List<String> secrets = Files.readAllLines(SecretsSeen.FILE, StandardCharsets.UTF_8);
        // The scan means something only after the integration tests ran and logged their sign-ins.
        assertThat(lines).anyMatch(l -> l.contains("\"event\":\"login.success\""));
        assertThat(secrets.size()).isGreaterThan(20);
        assertThat(LogScanner.scan(lines, secrets)).isEmpty();
    }

    /** The run's JSON logs: this JVM's, and those of the JVMs it started (not those left by earlier runs). */
    private static List<Path> jsonFiles() throws IOException {
        List<Path> files = new ArrayList<>(List.of(LOG_FILE));
        long runStarted = ManagementFactory.getRuntimeMXBean().getStartTime();
        if (Files.isDirectory(CHILD_LOGS)) {
            try (Stream<Path> children = Files.list(CHILD_LOGS)) {
                for (Path child : children.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList()) {
                    if (Files.getLastModifiedTime(child).toMillis() >= runStarted) {
                        files.add(child);
                    }
                }
            }
        }
        return files;
    }

    private static Path plainTwin(Path json) {
        String name = json.getFileName().toString();
        return json.resolveSibling(name.substring(0, name.length() - ".jsonl".length()) + ".txt");
    }

    /** The file's lines once nothing has been added for 200 ms (at most 5 s): threads of earlier tests may still log. */
    private static List<String> settledLines(Path file) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        while (System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(200);
            List<String> again = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (again.size() == lines.size()) {
                return again;
            }
            lines = again;
        }
        return lines;
    }
}
