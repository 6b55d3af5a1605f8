package io.github.aksauthproxy.deploy;

import static io.github.aksauthproxy.deploy.Manifests.list;
import static io.github.aksauthproxy.deploy.Manifests.map;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** networkPolicy.egress: where the pods may connect, Redis included with the redis session store. */
class HelmChartRedisEgressTest {

    @BeforeEach
    void emptyCluster() {
        Chart.cluster().reset();
    }

    private static Map<String, Object> spec(Chart chart) {
        return map(chart.manifests().one("NetworkPolicy"), "spec");
    }

    @Test
    void byDefaultEgressIsNotRestricted() {
        Map<String, Object> spec = spec(Chart.render().values("redis-sentinel"));

        assertThat(list(spec, "policyTypes")).containsExactly("Ingress");
        assertThat(spec).doesNotContainKey("egress");
    }

    @Test
    void restrictedEgressWithTheCookieStoreAllowsDnsAndHttpsOnly() {
        Map<String, Object> spec = spec(Chart.render().values("default").set("networkPolicy.egress.enabled", true));

        assertThat(list(spec, "policyTypes")).containsExactly("Ingress", "Egress");
        assertThat(list(spec, "egress")).containsExactly(
                Map.of("ports", List.of(Map.of("protocol", "UDP", "port", 53), Map.of("protocol", "TCP", "port", 53))),
                Map.of("ports", List.of(Map.of("protocol", "TCP", "port", 443))));
    }

    @Test
    void sentinelsAndTheDataPortTheyNameAreOpenedToRedisNamespace() {
        Map<String, Object> spec = spec(Chart.render().values("redis-sentinel").set("networkPolicy.egress.enabled", true)
                .set("networkPolicy.egress.redis.namespace", "redis").set("networkPolicy.egress.redis.podLabels.app", "redis"));

        Map<String, Object> redis = map(spec, "egress", 2);
        assertThat(list(redis, "ports")).containsExactly(Map.of("protocol", "TCP", "port", 26379), Map.of("protocol", "TCP", "port", 6379));
        assertThat(list(redis, "to")).containsExactly(Map.of(
                "namespaceSelector", Map.of("matchLabels", Map.of("kubernetes.io/metadata.name", "redis")),
                "podSelector", Map.of("matchLabels", Map.of("app", "redis"))));
    }

    @Test
    void azureManagedRedisWithTheOssClusterPolicyGetsItsPortAndShardPortsToItsPrivateEndpoint() {
        Map<String, Object> spec = spec(Chart.render().values("redis-cluster-entra"));

        Map<String, Object> redis = map(spec, "egress", 2);
        assertThat(list(redis, "ports")).containsExactly(Map.of("protocol", "TCP", "port", 10000),
                Map.of("protocol", "TCP", "port", 8500, "endPort", 8599));
        assertThat(list(redis, "to")).containsExactly(Map.of("ipBlock", Map.of("cidr", "10.20.0.0/24")));
    }

    @Test
    void aUrlWithoutAPortOpensRedisDefaultPortToAnyAddress() {
        Map<String, Object> spec = spec(Chart.render().values("default").set("sessionStore", "redis")
                .set("redis.url", "rediss://cache.example.com/2").set("networkPolicy.egress.enabled", true));

        assertThat(list(spec, "egress")).element(2).isEqualTo(Map.of("ports", List.of(Map.of("protocol", "TCP", "port", 6379))));
    }
}
