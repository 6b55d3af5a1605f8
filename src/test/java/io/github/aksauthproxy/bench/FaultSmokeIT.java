package io.github.aksauthproxy.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.aksauthproxy.it.LogScanner;
import io.github.aksauthproxy.it.SecretsSeen;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The fault harness's short form as a test, run by failsafe after {@code package} (it needs the real jar): every
 * fault once, briefly, with 200 users calling through nginx all along. It asserts the correctness targets, which
 * hold on any machine however slow: no valid session was sent to sign in, no answer was outside the expected set
 * (no 500 behind a 503 page, no reset, no hang past the bound, no 200 without a token), and the one user whose
 * refresh token Entra refused was sent to sign in. It never asserts a time or a rate.
 */
class FaultSmokeIT {

    @Test
    void noFaultSignsAnyoneOutOrAnswersOutsideTheContract() throws Exception {
        assertThat(BenchRun.which("nginx")).as("nginx is missing: apt-get install nginx libnginx-mod-http-set-misc").isNotNull();
        FaultOptions shortRun = FaultOptions.shortForm(Path.of("").toAbsolutePath());

        FaultReport.Results r = FaultRun.run(shortRun);
        System.out.println(r.summary());

        assertThat(r.phases()).as("faults run").containsKeys("Entra down", "Entra at 5 s latency", "Entra 429", "Entra 503", "Entra 500",
                "Entra black hole", "invalid_grant for one user", "federated token file", "replica SIGKILL",
                "rolling restart (SIGTERM), new cookie key added", "cookie key rotation: new key first", "cookie key rotation: old key dropped",
                "API server down");
        assertThat(r.phases()).allSatisfy((fault, p) -> assertThat(p.answers()).as(fault + ": answers recorded").isPositive());
        assertThat(r.validSignIns()).as("valid sessions sent to sign in (" + r.missed() + ")").isZero();
        assertThat(r.unexpected()).as("answers outside 200 / sign-in of an invalid session / 503 with Retry-After (" + r.missed() + ")")
                .isZero();
        assertThat(r.phases().get("invalid_grant for one user").invalidSignIns()).as("the refused user's sessions sent to sign in")
                .isPositive();
        List<String> logs = serviceLogLines(shortRun);
        assertThat(LogScanner.scan(logs, SecretsSeen.all())).as("secrets in the replicas' logs").isEmpty();
        assertThat(Files.readString(shortRun.out())).contains("**This is a short run**", "## Targets, per fault", "## Requests to Entra",
                "## Readiness and shutdown");
    }

    private static List<String> serviceLogLines(FaultOptions o) throws Exception {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> logs = Files.list(o.workDir())) {
            for (Path log : logs.filter(p -> p.getFileName().toString().matches("replica-\\d+-\\d+\\.log")).sorted().toList()) {
                lines.addAll(Files.readAllLines(log, StandardCharsets.UTF_8));
            }
        }
        return lines;
    }
}
