package io.github.aksauthproxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The readiness decision with stand-in checks, for the failures an end-to-end test cannot bring about once the service
 * is ready (discovery and keys are kept for a day once fetched); it/ReadinessTest has the real ones.
 */
class ReadinessOnceReadyTest {
    static final String DISCOVERY_DOWN = "the discovery document at https://login.example/x cannot be fetched (ConnectException: refused)";
    final AtomicReference<Optional<String>> identityProvider = new AtomicReference<>(Optional.empty());
    final AtomicReference<Optional<String>> redis = new AtomicReference<>(Optional.empty());
    final Readiness readiness = new Readiness(checks());

    private Map<String, java.util.function.Supplier<Optional<String>>> checks() {
        Map<String, java.util.function.Supplier<Optional<String>>> checks = new LinkedHashMap<>();
        checks.put("identity_provider", identityProvider::get);
        checks.put("redis", redis::get);
        return checks;
    }

    @Test
    void aCheckFailingBeforeTheFirstReadyKeepsTheReplicaOut() {
        redis.set(Optional.of("Redis cannot be used (unreachable): refused"));

        assertThat(readiness.check()).isEqualTo(new Readiness.Verdict(false, List.of("Redis cannot be used (unreachable): refused")));
        assertThat(readiness.ready()).isFalse();
        assertThat(readiness.failing("redis")).isTrue();
        assertThat(readiness.failing("identity_provider")).isFalse();

        redis.set(Optional.empty());
        assertThat(readiness.check()).isEqualTo(new Readiness.Verdict(true, List.of()));
        assertThat(readiness.ready()).isTrue();
        assertThat(readiness.failing("redis")).isFalse();
    }

    @Test
    void discoveryFailingAfterTheFirstReadyLeavesTheReplicaReadyAndDegraded() {
        assertThat(readiness.check().ready()).isTrue();
        identityProvider.set(Optional.of(DISCOVERY_DOWN));

        assertThat(readiness.check()).isEqualTo(new Readiness.Verdict(true, List.of(DISCOVERY_DOWN)));
        assertThat(readiness.ready()).isTrue();
        assertThat(readiness.failing("identity_provider")).isTrue();

        identityProvider.set(Optional.empty());
        assertThat(readiness.check()).isEqualTo(new Readiness.Verdict(true, List.of()));
        assertThat(readiness.failing("identity_provider")).isFalse();
    }

    @Test
    void sigtermMakesAReplicaThatWasReadyNotReadyWhateverItsChecksFind() {
        assertThat(readiness.check().ready()).isTrue();
        readiness.stop();

        assertThat(readiness.ready()).isFalse();
        assertThat(readiness.check()).isEqualTo(new Readiness.Verdict(false, List.of(Readiness.SHUTTING_DOWN)));
        redis.set(Optional.of("Redis did not answer PING within 3 s"));
        assertThat(readiness.check()).isEqualTo(new Readiness.Verdict(false, List.of(Readiness.SHUTTING_DOWN, "Redis did not answer PING within 3 s")));
    }

    @Test
    void aCheckThatThrowsCountsAsThatDependencyFailing() {
        Readiness throwing = new Readiness(Map.of("redis", () -> {
            throw new IllegalStateException("client closed");
        }));

        assertThat(throwing.check()).isEqualTo(new Readiness.Verdict(false, List.of("the redis check failed: IllegalStateException")));
        assertThat(throwing.failing("redis")).isTrue();
    }
}
