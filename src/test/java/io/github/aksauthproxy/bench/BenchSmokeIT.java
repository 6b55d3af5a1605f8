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
 * Proves the benchmark harness works: {@code bench/run.sh --smoke} as a test, run by failsafe after {@code package}
 * (it needs the real jar). It asserts that every benchmark ran and produced figures, never a speed. Without wrk or
 * nginx it fails and says how to install them. It also scans the jar's logs for every secret of the run (the stand-in
 * IdP records each token it issues), as {@code it/LogsHoldNoSecretsTest} does for the test JVMs.
 */
class BenchSmokeIT {

    @Test
    void everyBenchmarkRunsAndProducesFigures() throws Exception {
        assertThat(BenchRun.which("wrk")).as("wrk is missing: apt-get install wrk (./scripts/test installs it)").isNotNull();
        assertThat(BenchRun.which("nginx")).as("nginx is missing: apt-get install nginx (./scripts/test installs it)").isNotNull();
        assertThat(BenchRun.which("redis-server")).as("redis-server is missing: apt-get install redis-server (./scripts/test installs it)")
                .isNotNull();

        BenchOptions smoke = BenchOptions.smoke(Path.of("").toAbsolutePath());
        Report.Results r = BenchRun.run(smoke);
        System.out.println(r.summary());

        assertThat(r.warmLimitRps()).isPositive();
        assertThat(r.warmServiceRps()).isPositive();
        assertThat(r.warmP99Ms()).isPositive();
        assertThat(r.nginxRatios()).containsOnlyKeys(NginxRig.Mode.values()).allSatisfy((mode, ratio) -> assertThat(ratio).isPositive());
        assertThat(r.nginxCpuRatio()).as("CPU per auth request, service vs the static-auth nginx, both read from /proc").isPositive().isFinite();
        assertThat(r.redisRatio()).as("warm direct, redis mode vs cookie mode").isPositive().isFinite();
        assertThat(r.redisCommandsPerRequest()).as("Redis commands per warm request, counted at the server").isNotNaN();
        assertThat(r.redisLimitedCommandsPerRequest()).as("with the rate limit on, its script runs in Redis").isPositive();
        assertThat(r.coldIdpRequests()).as("token requests counted at the IdP front for distinct uncached sessions")
                .isEqualTo(smoke.coldSessions());
        assertThat(r.coldP99Ms()).isPositive();
        assertThat(r.signInsPerSecond()).isPositive();
        assertThat(r.signInsPerSecondRedis()).as("sign-ins per second in redis mode").isPositive();
        assertThat(r.restartSessions()).isEqualTo(smoke.redisSessions());
        assertThat(r.restartMintRequests()).as("token requests at the IdP front for fresh redis-mode sessions").isEqualTo(smoke.redisSessions());
        assertThat(r.restartIdpRequests()).as("token requests at the IdP front after restarting every replica").isZero();
        assertThat(r.restartOk()).as("200 answers after restarting every replica").isEqualTo(smoke.redisSessions());
        assertThat(r.tokensCached()).isEqualTo(smoke.footprintSessions());
        assertThat(r.rssKib()).isPositive();
        assertThat(r.heapKib()).isPositive();
        assertThat(r.readyMedianMs()).isPositive();
        assertThat(r.runtimes()).extracting(f -> f.runtime().name()).containsExactly("Java 17", "Java 17 + AppCDS", "Java 25",
                "Java 25 + AOT cache", "Java 25 + AOT cache + compact headers");
        assertThat(r.runtimes()).allSatisfy(f -> {
            assertThat(f.readyMs()).hasSize(3).allSatisfy(ms -> assertThat(ms).isPositive());
            assertThat(f.idleRssKib()).isPositive();
            assertThat(f.cold().rps()).isPositive();
            assertThat(f.warm().rps()).isPositive();
            assertThat(f.archiveBytes() > 0).as("%s has an archive of its training run", f.runtime().name()).isEqualTo(f.runtime().trained());
        });
        List<String> serviceLog = serviceLogLines(smoke);
        assertThat(serviceLog).as("the services' logs").anyMatch(l -> l.contains("\"event\":\"login.success\""));
        assertThat(LogScanner.scan(serviceLog, SecretsSeen.all())).as("secrets in the services' logs").isEmpty();
        String report = Files.readString(smoke.out());
        assertThat(report).contains("**This is a smoke run**", "## 1. Warm path, direct", "## 1b. Warm path, direct, redis session store",
                "| Redis commands per warm request (rate limit off) |", "| Redis commands per warm request (rate limit on) |",
                "| through nginx (default), CPU time per auth request, service vs the static-auth nginx |", "## 2. Through NGINX, default",
                "## 2. Through NGINX, keepalive", "## 3. Cold path", "## 3b. Cold path after restarting every replica (redis mode)",
                "## 4. Sign-in throughput", "## 5. Footprint", "## 6. Runtimes", "java -version");
    }

    /** Every line the jar's runs wrote (JSON log lines, and whatever the JVM itself printed), benchmark 6's runtimes included. */
    private static List<String> serviceLogLines(BenchOptions smoke) throws Exception {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> logs = Files.list(smoke.workDir())) {
            for (Path log : logs.filter(p -> p.getFileName().toString().matches("(service|redis|java|train)-[0-9a-z-]+\\.log")).sorted().toList()) {
                lines.addAll(Files.readAllLines(log, StandardCharsets.UTF_8));
            }
        }
        return lines;
    }
}
