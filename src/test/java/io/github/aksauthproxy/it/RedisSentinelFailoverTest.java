package io.github.aksauthproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.aksauthproxy.redis.Within;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service on Redis Sentinel (a master, a replica, three Sentinels): when the master dies, a session written before
 * keeps working once the Sentinels promote the replica, and new sign-ins are written there, with no restart.
 */
class RedisSentinelFailoverTest {

    @Test
    void serviceFollowsAFailoverWithoutRestartAndSessionsWrittenBeforeKeepWorking(@TempDir Path dir) throws Exception {
        try (RedisSentinelGroup group = RedisSentinelGroup.start(); EntraStandIn idp = new EntraStandIn();
             ServiceUnderTest service = ServiceUnderTest.start(idp, dir, new MutableClock(Instant.now()), Map.of(
                     "AKS_AUTH_PROXY_SESSION_STORE", "redis", "AKS_AUTH_PROXY_REDIS_MASTER_NAME", RedisSentinelGroup.MASTER_NAME,
                     "AKS_AUTH_PROXY_REDIS_SENTINELS", group.sentinelPorts().stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","))))) {
            TestBrowser before = service.signedInAs(idp, EntraStandIn.ALICE);
            assertThat(before.get(service.auth()).statusCode()).isEqualTo(200);
            String record = Tickets.recordKey(before.cookies.get(SignInFlowTest.SESSION), ServiceUnderTest.KEY_1);
            Within.until(Duration.ofSeconds(5), "the replica to hold the session", () -> group.replica().command("EXISTS", record).equals(":1"));

            group.master().kill();

            Within.until(Duration.ofSeconds(30), "the session to be served from the new master",
                    () -> before.get(service.auth()).statusCode() == 200);
            assertThat(group.currentMasterPort()).isEqualTo(group.replica().port());
            TestBrowser after = service.signedInAs(idp, EntraStandIn.ALICE);
            assertThat(after.get(service.auth()).statusCode()).as("a session written to the new master").isEqualTo(200);
            assertThat(group.replica().command("EXISTS", Tickets.recordKey(after.cookies.get(SignInFlowTest.SESSION), ServiceUnderTest.KEY_1)))
                    .isEqualTo(":1");
        }
    }
}
