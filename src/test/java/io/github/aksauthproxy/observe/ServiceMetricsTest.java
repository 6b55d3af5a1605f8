package io.github.aksauthproxy.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.Random;
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
}
