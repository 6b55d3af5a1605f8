package io.github.aksauthproxy.deploy;

import static io.github.aksauthproxy.deploy.Manifests.at;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The redis session store in the chart: its settings reach the container, the password only from a Secret. */
class HelmChartRedisValuesTest {

    @BeforeEach
    void emptyCluster() {
        Chart.cluster().reset();
    }

    @Test
    void cookieStoreSetsNoRedisVariable() {
        Map<String, Map<String, Object>> env = Chart.render().values("default").manifests().env();

        assertThat(env.keySet()).noneMatch(n -> n.startsWith("AKS_AUTH_PROXY_REDIS_") || n.equals("AKS_AUTH_PROXY_SESSION_STORE"));
    }

    @Test
    void sentinelScenarioSetsTheSentinelsMasterAndThePasswordFromTheSecret() {
        Map<String, Map<String, Object>> env = Chart.render().values("redis-sentinel").manifests().env();

        assertThat(at(env.get("AKS_AUTH_PROXY_SESSION_STORE"), "value").toString()).isEqualTo("redis");
        assertThat(at(env.get("AKS_AUTH_PROXY_REDIS_SENTINELS"), "value").toString()).isEqualTo(
                "redis-node-0.redis-headless.redis.svc.cluster.local:26379,redis-node-1.redis-headless.redis.svc.cluster.local:26379,"
                        + "redis-node-2.redis-headless.redis.svc.cluster.local:26379");
        assertThat(at(env.get("AKS_AUTH_PROXY_REDIS_MASTER_NAME"), "value").toString()).isEqualTo("mymaster");
        assertThat((Map<String, Object>) at(env.get("AKS_AUTH_PROXY_REDIS_PASSWORD"), "valueFrom", "secretKeyRef"))
                .containsEntry("name", "redis-credentials").containsEntry("key", "password");
    }

    @Test
    void entraScenarioSetsNoUserAndNoPassword() {
        Map<String, Map<String, Object>> env = Chart.render().values("redis-cluster-entra").manifests().env();

        assertThat(at(env.get("AKS_AUTH_PROXY_REDIS_AUTH"), "value").toString()).isEqualTo("entra");
        assertThat(env).doesNotContainKeys("AKS_AUTH_PROXY_REDIS_USERNAME", "AKS_AUTH_PROXY_REDIS_PASSWORD");
    }

    @Test
    void twoTopologiesAreRefused() {
        String error = Chart.render().values("redis-sentinel").set("redis.url", "redis://cache:6379").error();

        assertThat(error).contains("sessionStore redis needs exactly one of redis.url, redis.sentinels and redis.clusterNodes");
    }

    @Test
    void entraWithAPasswordSecretIsRefused() {
        String error = Chart.render().values("redis-cluster-entra").set("redis.existingSecret", "pw").error();

        assertThat(error).contains("redis.auth entra takes the user name and password from the pod's workload identity");
    }

    @Test
    void aPasswordInTheUrlIsASchemaError() {
        String error = Chart.render().values("full").set("redis.url", "redis://u:pw@cache:6379").error();

        assertThat(error).contains("at '/redis/url'");
    }
}
