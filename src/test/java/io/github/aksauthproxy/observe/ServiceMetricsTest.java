package io.github.aksauthproxy.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.aksauthproxy.entra.WorkloadIdentityAssertion.LastRead;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Label values from a fixed set, whatever a token endpoint answers. */
class ServiceMetricsTest {

    @Test
    void unknownTokenEndpointErrorsCountAsOtherAndKnownOnesKeepTheirName() {
        try (ServiceMetrics metrics = new ServiceMetrics(List.of("aks"))) {
            Random random = new Random(52);
            for (int i = 0; i < 1000; i++) {
                StringBuilder word = new StringBuilder();
                for (int n = 4 + random.nextInt(30); n > 0; n--) {
                    word.append("abcdefghijklmnopqrstuvwxyz_".charAt(random.nextInt(27)));
                }
                metrics.idpError(i % 2 == 0 ? "refresh" : "redeem", word.toString(), Optional.empty(), true);
            }
            metrics.idpError("refresh", "invalid_grant", Optional.of("AADSTS70008"), true);
            metrics.idpError("redeem", "access_denied", Optional.empty(), true);

            List<String> series = metrics.scrape().lines().filter(l -> l.startsWith("aks_auth_proxy_idp_errors_total{")).sorted().toList();
            assertThat(series).containsExactly(
                    "aks_auth_proxy_idp_errors_total{aadsts=\"AADSTS70008\",error=\"invalid_grant\",operation=\"refresh\"} 1.0",
                    "aks_auth_proxy_idp_errors_total{aadsts=\"none\",error=\"other\",operation=\"redeem\"} 501.0",
                    "aks_auth_proxy_idp_errors_total{aadsts=\"none\",error=\"other\",operation=\"refresh\"} 500.0");
        }
    }

    @Test
    void rateLimitedClientsCountsEachUserOrAddressOnceForAMinuteWithoutLabellingThem() {
        AtomicLong nanos = new AtomicLong();
        try (ServiceMetrics metrics = new ServiceMetrics(List.of("aks"), nanos::get)) {
            for (int i = 0; i < 5; i++) {
                metrics.rateLimited(ServiceMetrics.Limit.AUTH, "alice@contoso.example");
            }
            metrics.rateLimited(ServiceMetrics.Limit.AUTH, "bob@contoso.example");
            metrics.rateLimited(ServiceMetrics.Limit.SIGN_IN, "203.0.113.7");
            assertThat(series(metrics, "aks_auth_proxy_ratelimit_")).containsExactly(
                    "aks_auth_proxy_ratelimit_exceeded_total{limit=\"auth\"} 6.0",
                    "aks_auth_proxy_ratelimit_exceeded_total{limit=\"sign_in\"} 1.0",
                    "aks_auth_proxy_ratelimit_limited_clients{limit=\"auth\"} 2.0",
                    "aks_auth_proxy_ratelimit_limited_clients{limit=\"sign_in\"} 1.0");
            nanos.addAndGet(Duration.ofSeconds(59).toNanos());
            metrics.rateLimited(ServiceMetrics.Limit.AUTH, "bob@contoso.example");
            nanos.addAndGet(Duration.ofSeconds(2).toNanos());
            assertThat(series(metrics, "aks_auth_proxy_ratelimit_limited_clients")).containsExactly(
                    "aks_auth_proxy_ratelimit_limited_clients{limit=\"auth\"} 1.0",
                    "aks_auth_proxy_ratelimit_limited_clients{limit=\"sign_in\"} 0.0");
        }
    }

    @Test
    void federatedTokenGaugesShowTheLatestReadAndNaNBeforeTheFirst() {
        AtomicReference<LastRead> read = new AtomicReference<>(new LastRead(false, Optional.empty(), false));
        try (ServiceMetrics metrics = new ServiceMetrics(List.of("aks"))) {
            metrics.federatedToken(read::get);
            assertThat(series(metrics, "aks_auth_proxy_federated_token_")).containsExactly(
                    "aks_auth_proxy_federated_token_expiry_timestamp_seconds NaN",
                    "aks_auth_proxy_federated_token_readable NaN");
            read.set(new LastRead(true, Optional.of(Instant.ofEpochSecond(1_790_000_000L)), true));
            assertThat(series(metrics, "aks_auth_proxy_federated_token_")).containsExactly(
                    "aks_auth_proxy_federated_token_expiry_timestamp_seconds 1.79E9",
                    "aks_auth_proxy_federated_token_readable 1.0");
            read.set(new LastRead(true, Optional.empty(), false));
            assertThat(series(metrics, "aks_auth_proxy_federated_token_")).containsExactly(
                    "aks_auth_proxy_federated_token_expiry_timestamp_seconds NaN",
                    "aks_auth_proxy_federated_token_readable 0.0");
        }
    }

    @Test
    void readinessDegradedChecksInFlightRequestsAndTheCookieKeyRotationDateAreGaugesThatOutliveAGarbageCollection() {
        try (ServiceMetrics metrics = new ServiceMetrics(List.of("aks"))) {
            boolean[] ready = {false};
            int[] inFlight = {3};
            java.util.Set<String> failing = new java.util.HashSet<>(List.of("redis"));
            metrics.readiness(() -> ready[0]);
            metrics.degraded(List.of("identity_provider", "redis"), failing::contains);
            metrics.tokenRequestsInFlight(() -> inFlight[0]);
            metrics.cookieKeyRotationDue(Instant.parse("2026-09-30T00:00:00Z"));
            // Micrometer keeps a gauge's state weakly; a lambda held by nobody else must survive a collection.
            System.gc();
            assertThat(series(metrics, "aks_auth_proxy_ready")).containsExactly("aks_auth_proxy_ready 0.0");
            ready[0] = true;
            assertThat(series(metrics, "aks_auth_proxy_ready")).containsExactly("aks_auth_proxy_ready 1.0");
            assertThat(series(metrics, "aks_auth_proxy_degraded")).containsExactlyInAnyOrder(
                    "aks_auth_proxy_degraded{check=\"identity_provider\"} 0.0", "aks_auth_proxy_degraded{check=\"redis\"} 1.0");
            failing.clear();
            assertThat(series(metrics, "aks_auth_proxy_degraded")).containsExactlyInAnyOrder(
                    "aks_auth_proxy_degraded{check=\"identity_provider\"} 0.0", "aks_auth_proxy_degraded{check=\"redis\"} 0.0");
            assertThat(series(metrics, "aks_auth_proxy_token_requests_in_flight")).containsExactly("aks_auth_proxy_token_requests_in_flight 3.0");
            assertThat(series(metrics, "aks_auth_proxy_cookie_key_rotation_due_timestamp_seconds"))
                    .containsExactly("aks_auth_proxy_cookie_key_rotation_due_timestamp_seconds 1.7907264E9");
        }
    }

    private static List<String> series(ServiceMetrics metrics, String prefix) {
        return metrics.scrape().lines().filter(l -> l.startsWith(prefix)).sorted().toList();
    }
}
