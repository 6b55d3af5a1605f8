package io.github.aksauthproxy.redis;

import static io.github.aksauthproxy.redis.RedisSessionsTest.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.aksauthproxy.config.RedisConfig;
import io.github.aksauthproxy.it.RedisClusterProcess;
import io.github.aksauthproxy.it.RedisProcess;
import io.github.aksauthproxy.it.RedisTlsFiles;
import io.github.aksauthproxy.it.ServiceUnderTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code rediss://} against a real redis-server serving TLS with a certificate for {@code localhost} only (no IP
 * address in it, like Azure's Redis certificates, which name only the cache's host). The client trusts the CA of
 * {@code AKS_AUTH_PROXY_REDIS_CA_FILE} and checks the host name; a cluster announces its nodes by IP address, as
 * Azure Managed Redis's OSS cluster policy does, and those nodes are checked against the configured host name.
 */
class RedisTlsTest {

    private static RedisConfig config(RedisConfig.Topology topology, Path caFile) {
        return new RedisConfig(topology, true, Optional.empty(), Optional.empty(), Optional.of(caFile), RedisConfig.Auth.PASSWORD);
    }

    private static LettuceRedis client(RedisConfig config) {
        return LettuceRedis.create(config, Optional.empty(), Redis.Timeouts.DEFAULT, RedisFailureLog.everyTenSeconds());
    }

    @Test
    void standaloneOverTlsWorksWithTheConfiguredCaAndHostName() throws Exception {
        RedisTlsFiles files = RedisTlsFiles.forName("localhost");
        int tls = ServiceUnderTest.freePort();
        try (RedisProcess server = RedisProcess.start(files.serverArgs(tls));
             LettuceRedis redis = client(config(new RedisConfig.Standalone(new RedisConfig.Endpoint("localhost", tls), 0), files.caFile()))) {
            await(redis.set("k", "v".getBytes(StandardCharsets.US_ASCII), Duration.ofMinutes(1)));
            assertThat(await(redis.get("k"))).hasValueSatisfying(v -> assertThat(new String(v, StandardCharsets.US_ASCII)).isEqualTo("v"));
            assertThat(server.command("INFO", "stats")).containsPattern("total_connections_received:[1-9]");
        }
    }

    @Test
    void aCertificateForAnotherHostIsRefused() throws Exception {
        RedisTlsFiles files = RedisTlsFiles.forName("redis.other.example");
        int tls = ServiceUnderTest.freePort();
        try (RedisProcess server = RedisProcess.start(files.serverArgs(tls));
             LettuceRedis redis = client(config(new RedisConfig.Standalone(new RedisConfig.Endpoint("localhost", tls), 0), files.caFile()))) {
            assertThatThrownBy(() -> await(redis.get("k"))).isInstanceOf(RedisUnavailable.class);
        }
    }

    @Test
    void aServerTheConfiguredCaDidNotSignIsRefused() throws Exception {
        RedisTlsFiles files = RedisTlsFiles.forName("localhost");
        RedisTlsFiles otherCa = RedisTlsFiles.forName("localhost");
        int tls = ServiceUnderTest.freePort();
        try (RedisProcess server = RedisProcess.start(files.serverArgs(tls));
             LettuceRedis redis = client(config(new RedisConfig.Standalone(new RedisConfig.Endpoint("localhost", tls), 0), otherCa.caFile()))) {
            assertThatThrownBy(() -> await(redis.get("k"))).isInstanceOf(RedisUnavailable.class);
        }
    }

    @Test
    void clusterNodesAnnouncedByAddressAreCheckedAgainstTheConfiguredHostName() throws Exception {
        RedisTlsFiles files = RedisTlsFiles.forName("localhost");
        int[] tls = {ServiceUnderTest.freePort(), ServiceUnderTest.freePort(), ServiceUnderTest.freePort()};
        try (RedisClusterProcess cluster = RedisClusterProcess.start(i -> files.serverArgs(tls[i]))) {
            assertThat(cluster.nodes().get(0).command("CLUSTER", "NODES")).as("the nodes are announced by address").contains("127.0.0.1:");
            try (LettuceRedis redis = client(config(new RedisConfig.Cluster(List.of(new RedisConfig.Endpoint("localhost", tls[0]))),
                    files.caFile()))) {
                for (int i = 0; i < 30; i++) {
                    await(redis.set("k" + i, new byte[] {(byte) i}, Duration.ofMinutes(1)));
                }
                for (int i = 0; i < 30; i++) {
                    assertThat(await(redis.get("k" + i))).hasValueSatisfying(v -> assertThat(v).hasSize(1));
                }
            }
            assertThat(cluster.nodes()).as("keys on every master, so every node was reached over TLS")
                    .allSatisfy(n -> assertThat(Long.parseLong(n.command("DBSIZE").substring(1))).isPositive());
        }
    }

    @Test
    void clusterNodesWithACertificateForAnotherHostAreRefused() throws Exception {
        RedisTlsFiles files = RedisTlsFiles.forName("redis.other.example");
        int[] tls = {ServiceUnderTest.freePort(), ServiceUnderTest.freePort(), ServiceUnderTest.freePort()};
        try (RedisClusterProcess cluster = RedisClusterProcess.start(i -> files.serverArgs(tls[i]));
             LettuceRedis redis = client(config(new RedisConfig.Cluster(List.of(new RedisConfig.Endpoint("localhost", tls[0]))),
                     files.caFile()))) {
            assertThatThrownBy(() -> await(redis.set("k", new byte[] {1}, Duration.ofMinutes(1)))).isInstanceOf(RedisUnavailable.class);
        }
    }
}
