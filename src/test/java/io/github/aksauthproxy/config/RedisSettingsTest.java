package io.github.aksauthproxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RedisSettingsTest {
    private final List<ConfigProblem> problems = new ArrayList<>();

    private Optional<RedisConfig> parse(String... pairs) {
        Map<String, String> env = new java.util.HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return RedisSettings.parse(env, problems);
    }

    private List<String> problemTexts() {
        return problems.stream().map(ConfigProblem::toString).toList();
    }

    @Test
    void cookieStoreIsTheDefaultAndNeedsNoRedis() {
        assertThat(parse()).isEmpty();
        assertThat(problems).isEmpty();
    }

    @Test
    void redisUrlMakesAStandaloneTopologyWithoutTls() {
        RedisConfig c = parse("AKS_AUTH_PROXY_SESSION_STORE", "redis", "AKS_AUTH_PROXY_REDIS_URL", "redis://cache.example.com/2").orElseThrow();
        assertThat(problems).isEmpty();
        assertThat(c.topology()).isEqualTo(new RedisConfig.Standalone(new RedisConfig.Endpoint("cache.example.com", 6379), 2));
        assertThat(c.tls()).isFalse();
        assertThat(c.auth()).isEqualTo(RedisConfig.Auth.PASSWORD);
    }

    @Test
    void redissUrlMeansTls() {
        RedisConfig c = parse("AKS_AUTH_PROXY_SESSION_STORE", "redis", "AKS_AUTH_PROXY_REDIS_URL", "rediss://c.redis.azure.net:10000",
                "AKS_AUTH_PROXY_REDIS_AUTH", "entra").orElseThrow();
        assertThat(problems).isEmpty();
        assertThat(c.tls()).isTrue();
        assertThat(c.auth()).isEqualTo(RedisConfig.Auth.ENTRA);
        assertThat(c.topology()).isEqualTo(new RedisConfig.Standalone(new RedisConfig.Endpoint("c.redis.azure.net", 10000), 0));
    }

    @Test
    void sentinelsWithMasterNameAndDefaultPort() {
        RedisConfig c = parse("AKS_AUTH_PROXY_SESSION_STORE", "redis", "AKS_AUTH_PROXY_REDIS_SENTINELS", "s1:26380, s2, [::1]:26381",
                "AKS_AUTH_PROXY_REDIS_MASTER_NAME", "mymaster", "AKS_AUTH_PROXY_REDIS_USERNAME", "proxy",
                "AKS_AUTH_PROXY_REDIS_PASSWORD", "pw").orElseThrow();
        assertThat(problems).isEmpty();
        assertThat(c.topology()).isEqualTo(new RedisConfig.Sentinel(List.of(new RedisConfig.Endpoint("s1", 26380),
                new RedisConfig.Endpoint("s2", 26379), new RedisConfig.Endpoint("::1", 26381)), "mymaster"));
        assertThat(c.username()).contains("proxy");
        assertThat(c.password()).map(Secret::value).contains("pw");
    }

    @Test
    void clusterNodesOverTls() {
        RedisConfig c = parse("AKS_AUTH_PROXY_SESSION_STORE", "redis",
                "AKS_AUTH_PROXY_REDIS_CLUSTER_NODES", "rediss://n1:7000,rediss://n2:7001").orElseThrow();
        assertThat(problems).isEmpty();
        assertThat(c.tls()).isTrue();
        assertThat(c.topology()).isEqualTo(new RedisConfig.Cluster(List.of(new RedisConfig.Endpoint("n1", 7000), new RedisConfig.Endpoint("n2", 7001))));
    }

    @Test
    void redisStoreWithoutAnAddressNamesTheThreeChoices() {
        assertThat(parse("AKS_AUTH_PROXY_SESSION_STORE", "redis")).isEmpty();
        assertThat(problemTexts()).containsExactly("AKS_AUTH_PROXY_REDIS_URL: none of AKS_AUTH_PROXY_REDIS_URL, AKS_AUTH_PROXY_REDIS_SENTINELS and "
                + "AKS_AUTH_PROXY_REDIS_CLUSTER_NODES is set; with AKS_AUTH_PROXY_SESSION_STORE=redis set exactly one");
    }

    @Test
    void twoTopologiesAreOneProblem() {
        assertThat(parse("AKS_AUTH_PROXY_SESSION_STORE", "redis", "AKS_AUTH_PROXY_REDIS_URL", "redis://a:6379",
                "AKS_AUTH_PROXY_REDIS_CLUSTER_NODES", "b:6379")).isEmpty();
        assertThat(problemTexts()).containsExactly("AKS_AUTH_PROXY_REDIS_URL: more than one of AKS_AUTH_PROXY_REDIS_URL, AKS_AUTH_PROXY_REDIS_SENTINELS and "
                + "AKS_AUTH_PROXY_REDIS_CLUSTER_NODES is set; with AKS_AUTH_PROXY_SESSION_STORE=redis set exactly one");
    }

    @Test
    void sentinelsWithoutMasterNameAskForIt() {
        parse("AKS_AUTH_PROXY_SESSION_STORE", "redis", "AKS_AUTH_PROXY_REDIS_SENTINELS", "s1:26379");
        assertThat(problemTexts()).containsExactly("AKS_AUTH_PROXY_REDIS_MASTER_NAME: is required with AKS_AUTH_PROXY_REDIS_SENTINELS; "
                + "set the master name the Sentinels watch (often mymaster)");
    }

    @Test
    void aPasswordInTheUrlIsRefusedWithoutRepeatingIt() {
        parse("AKS_AUTH_PROXY_SESSION_STORE", "redis", "AKS_AUTH_PROXY_REDIS_URL", "redis://user:s3cret@cache:6379");
        assertThat(problemTexts()).containsExactly("AKS_AUTH_PROXY_REDIS_URL: 'redis://...@cache' is not a Redis URL like "
                + "rediss://my-cache.example.com:6380 (a password goes into AKS_AUTH_PROXY_REDIS_PASSWORD, never into the URL)");
        assertThat(problemTexts().toString()).doesNotContain("s3cret");
    }

    @Test
    void otherSchemesAndPathsAreRefused() {
        parse("AKS_AUTH_PROXY_SESSION_STORE", "redis", "AKS_AUTH_PROXY_REDIS_URL", "https://cache:6379");
        parse("AKS_AUTH_PROXY_SESSION_STORE", "redis", "AKS_AUTH_PROXY_REDIS_URL", "redis://cache:6379/sessions");
        assertThat(problemTexts()).containsExactly(
                "AKS_AUTH_PROXY_REDIS_URL: 'https://cache:6379' is not an address like redis://host:6379 or rediss://host:6380 (TLS)",
                "AKS_AUTH_PROXY_REDIS_URL: 'redis://cache:6379/sessions' may name only a database number 0-15 after the address, like redis://host:6379/0");
    }

    @Test
    void mixedTlsAmongClusterNodesIsRefused() {
        parse("AKS_AUTH_PROXY_SESSION_STORE", "redis", "AKS_AUTH_PROXY_REDIS_CLUSTER_NODES", "rediss://n1:7000,n2:7001");
        assertThat(problemTexts()).containsExactly("AKS_AUTH_PROXY_REDIS_CLUSTER_NODES: mixes redis:// and rediss:// addresses; "
                + "every address must use TLS (rediss://) or none");
    }

    @Test
    void entraRefusesAConfiguredUserAndPasswordAndPlainTextOffLoopback() {
        parse("AKS_AUTH_PROXY_SESSION_STORE", "redis", "AKS_AUTH_PROXY_REDIS_URL", "redis://cache.example.com:6379",
                "AKS_AUTH_PROXY_REDIS_AUTH", "entra", "AKS_AUTH_PROXY_REDIS_USERNAME", "u", "AKS_AUTH_PROXY_REDIS_PASSWORD", "p");
        assertThat(problems).extracting(ConfigProblem::source).containsExactly("AKS_AUTH_PROXY_REDIS_USERNAME",
                "AKS_AUTH_PROXY_REDIS_PASSWORD", "AKS_AUTH_PROXY_REDIS_AUTH");
        assertThat(problemTexts().get(2)).contains("use rediss://");
    }

    @Test
    void entraOverPlainTextIsAllowedOnLoopbackForTests() {
        assertThat(parse("AKS_AUTH_PROXY_SESSION_STORE", "redis", "AKS_AUTH_PROXY_REDIS_URL", "redis://127.0.0.1:6379",
                "AKS_AUTH_PROXY_REDIS_AUTH", "entra")).isPresent();
        assertThat(problems).isEmpty();
    }

    @Test
    void redisSettingsWithTheCookieStoreAreReportedEach() {
        parse("AKS_AUTH_PROXY_REDIS_URL", "redis://cache:6379", "AKS_AUTH_PROXY_REDIS_PASSWORD", "p");
        assertThat(problemTexts()).containsExactly(
                "AKS_AUTH_PROXY_REDIS_URL: is set but AKS_AUTH_PROXY_SESSION_STORE is cookie; set AKS_AUTH_PROXY_SESSION_STORE=redis or remove it",
                "AKS_AUTH_PROXY_REDIS_PASSWORD: is set but AKS_AUTH_PROXY_SESSION_STORE is cookie; set AKS_AUTH_PROXY_SESSION_STORE=redis or remove it");
    }

    @Test
    void unknownStoreAndAuthAreNamed() {
        parse("AKS_AUTH_PROXY_SESSION_STORE", "memcached");
        parse("AKS_AUTH_PROXY_SESSION_STORE", "redis", "AKS_AUTH_PROXY_REDIS_URL", "redis://cache", "AKS_AUTH_PROXY_REDIS_AUTH", "kerberos");
        assertThat(problemTexts()).containsExactly(
                "AKS_AUTH_PROXY_SESSION_STORE: 'memcached' is not a session store; use cookie or redis",
                "AKS_AUTH_PROXY_REDIS_AUTH: 'kerberos' is not a Redis authentication; use password or entra");
    }

    @Test
    void caFileMustBeReadableAndNeedsTls() {
        parse("AKS_AUTH_PROXY_SESSION_STORE", "redis", "AKS_AUTH_PROXY_REDIS_URL", "redis://cache", "AKS_AUTH_PROXY_REDIS_CA_FILE", "/nonexistent/ca.pem");
        assertThat(problemTexts()).containsExactly(
                "AKS_AUTH_PROXY_REDIS_CA_FILE: cannot read '/nonexistent/ca.pem'; point it at a PEM file of the CA certificates that signed the Redis server's certificate",
                "AKS_AUTH_PROXY_REDIS_CA_FILE: is set but Redis is reached without TLS; write the address as rediss://host:port");
    }

    @Test
    void thePasswordNeverShowsInTheConfigText() {
        RedisConfig c = parse("AKS_AUTH_PROXY_SESSION_STORE", "redis", "AKS_AUTH_PROXY_REDIS_URL", "redis://cache",
                "AKS_AUTH_PROXY_REDIS_PASSWORD", "hunter2-secret").orElseThrow();
        assertThat(c.toString()).doesNotContain("hunter2-secret");
    }
}
