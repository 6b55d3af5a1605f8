package io.github.aksauthproxy.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.aksauthproxy.it.LogScanner;
import io.github.aksauthproxy.it.SecretsSeen;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The fault harness's short form as a test, run by failsafe after {@code package} (it needs the real jar): every
 * fault once, briefly, with 100 users calling through nginx all along; the faults both session modes share in cookie
 * mode, the Redis faults in redis mode. It asserts the correctness targets, which hold on any machine however slow: no
 * valid session was sent to sign in, no answer was outside the expected set (no 500 behind a 503 page, no reset, no
 * hang past the bound, no 200 without a token), the sessions whose refresh tokens Entra refused were sent to sign in
 * and signed in again, and after Redis restarted empty every session was sent to sign in once and signed in cleanly.
 * It never asserts a time or a rate.
 */
class FaultSmokeIT {

    @Test
    void noFaultSignsAnyoneOutOrAnswersOutsideTheContract() throws Exception {
        assertThat(BenchRun.which("nginx")).as("nginx is missing: apt-get install nginx libnginx-mod-http-set-misc").isNotNull();
        FaultOptions shortRun = FaultOptions.shortForm(Path.of("").toAbsolutePath());

        Map<String, FaultReport.Results> results = FaultRun.run(shortRun);
        results.forEach((mode, r) -> System.out.println(mode + " mode: " + r.summary()));

        assertThat(results).containsOnlyKeys("cookie", "redis");
        FaultReport.Results cookie = results.get("cookie");
        assertThat(cookie.phases()).as("faults run in cookie mode").containsKeys("Entra down", "Entra at 5 s latency", "Entra 429", "Entra 503",
                "Entra 500", "Entra black hole", "invalid_grant", "federated token file", "replica SIGKILL",
                "rolling restart (SIGTERM), new cookie key added", "cookie key rotation: new key first", "cookie key rotation: old key dropped",
                "API server down");
        FaultReport.Results redis = results.get("redis");
        assertThat(redis.phases()).as("faults run in redis mode").containsKeys("Sentinel failover", "Redis unreachable", "Redis restarted empty");
        results.forEach((mode, r) -> {
            assertThat(r.phases()).allSatisfy((fault, p) -> assertThat(p.answers()).as(mode + ", " + fault + ": answers recorded").isPositive());
            assertThat(r.validSignIns()).as(mode + ": valid sessions sent to sign in (" + r.missed() + ")").isZero();
            assertThat(r.unexpected()).as(mode + ": answers outside 200 / sign-in of an invalid session / 503 with Retry-After (" + r.missed() + ")")
                    .isZero();
        });
        FaultReport.PhaseResult refused = cookie.phases().get("invalid_grant");
        assertThat(refused.invalidSignIns()).as("sessions whose refresh tokens were refused, sent to sign in").isEqualTo(FaultRun.VICTIM_SESSIONS);
        assertThat(refused.signedInAgain()).as("and signed in again").isEqualTo(FaultRun.VICTIM_SESSIONS);
        FaultReport.PhaseResult emptied = redis.phases().get("Redis restarted empty");
        assertThat(emptied.invalidSignIns()).as("sessions sent to sign in after Redis restarted empty").isEqualTo(shortRun.users());
        assertThat(emptied.signedInAgain()).as("sessions signed in again after Redis restarted empty").isEqualTo(shortRun.users());

        List<String> logs = new ArrayList<>();
        for (String mode : shortRun.modes()) {
            logs.addAll(serviceLogLines(shortRun.workDir(mode)));
        }
        assertThat(LogScanner.scan(logs, SecretsSeen.all())).as("secrets in the replicas' logs").isEmpty();
        assertThat(Files.readString(shortRun.out())).contains("**This is a short run**", "## Cookie mode", "## Redis mode", "### Targets, per fault",
                "### Requests to Entra", "### Readiness and shutdown");
    }

    private static List<String> serviceLogLines(Path workDir) throws Exception {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> logs = Files.list(workDir)) {
            for (Path log : logs.filter(p -> p.getFileName().toString().matches("replica-\\d+-\\d+\\.log")).sorted().toList()) {
                lines.addAll(Files.readAllLines(log, StandardCharsets.UTF_8));
            }
        }
        return lines;
    }
}
