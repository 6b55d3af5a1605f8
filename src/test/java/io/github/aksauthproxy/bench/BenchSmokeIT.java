package io.github.aksauthproxy.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Proves the benchmark harness works: {@code bench/run.sh --smoke} as a test, run by failsafe after {@code package}
 * (it needs the real jar). It asserts that every benchmark ran and produced figures, never a speed. Without wrk or
 * nginx it fails and says how to install them.
 */
class BenchSmokeIT {

    @Test
    void everyBenchmarkRunsAndProducesFigures() throws Exception {
        assertThat(BenchRun.which("wrk")).as("wrk is missing: apt-get install wrk (./scripts/test installs it)").isNotNull();
        assertThat(BenchRun.which("nginx")).as("nginx is missing: apt-get install nginx (./scripts/test installs it)").isNotNull();

        BenchOptions smoke = BenchOptions.smoke(Path.of("").toAbsolutePath());
        Report.Results r = BenchRun.run(smoke);
        System.out.println(r.summary());

        assertThat(r.warmLimitRps()).isPositive();
        assertThat(r.warmServiceRps()).isPositive();
        assertThat(r.warmP99Ms()).isPositive();
        assertThat(r.nginxRatios()).containsOnlyKeys(NginxRig.Mode.values()).allSatisfy((mode, ratio) -> assertThat(ratio).isPositive());
        assertThat(r.coldIdpRequests()).as("token requests counted at the IdP front for distinct uncached sessions")
                .isEqualTo(smoke.coldSessions());
        assertThat(r.coldP99Ms()).isPositive();
        assertThat(r.signInsPerSecond()).isPositive();
        assertThat(r.tokensCached()).isEqualTo(smoke.footprintSessions());
        assertThat(r.rssKib()).isPositive();
        assertThat(r.heapKib()).isPositive();
        assertThat(r.readyMedianMs()).isPositive();
        String report = Files.readString(smoke.out());
        assertThat(report).contains("**This is a smoke run**", "## 1. Warm path, direct", "## 2. Through NGINX, default",
                "## 2. Through NGINX, keepalive", "## 3. Cold path", "## 4. Sign-in throughput", "## 5. Footprint", "java -version");
    }
}
