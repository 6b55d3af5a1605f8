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
             ServiceUnderTest service = ServiceUnderTest.start(idp, dir, new MutableClock(Instant.now()), settings(group))) {
            TestBrowser before = service.signedInAs(idp, EntraStandIn.ALICE);
            assertThat(before.get(service.auth()).statusCode()).isEqualTo(200);
            String record = Tickets.recordKey(before.cookies.get(SignInFlowTest.SESSION), ServiceUnderTest.KEY_1);
            Within.until(Duration.ofSeconds(5), "the replica to hold the session", () -> group.replica().command("EXISTS", record).equals(":1"));

            group.master().kill();
            // The warm path answers from memory without asking Redis, so a 200 alone says nothing about the failover.
            Within.until(Duration.ofSeconds(30), "the Sentinels to promote the replica", () -> group.currentMasterPort() == group.replica().port());

            Within.until(Duration.ofSeconds(30), "the session to be served after the failover",
                    () -> before.get(service.auth()).statusCode() == 200);
            TestBrowser after = service.signedInAs(idp, EntraStandIn.ALICE);
            assertThat(after.get(service.auth()).statusCode()).as("a session written to the new master").isEqualTo(200);
            assertThat(group.replica().command("EXISTS", Tickets.recordKey(after.cookies.get(SignInFlowTest.SESSION), ServiceUnderTest.KEY_1)))
                    .isEqualTo(":1");
            // A replica started after the failover remembers nothing: the session written before it comes from the new master.
            try (ServiceUnderTest fresh = ServiceUnderTest.start(idp, dir, new MutableClock(Instant.now()), settings(group))) {
                TestBrowser sameCookie = new TestBrowser(idp.trust());
                sameCookie.cookies.putAll(before.cookies);
                assertThat(sameCookie.get(fresh.auth()).statusCode()).as("the session written before the failover, read afresh").isEqualTo(200);
            }
        }
    }

    private static Map<String, String> settings(RedisSentinelGroup group) {
        return Map.of("AKS_AUTH_PROXY_SESSION_STORE", "redis", "AKS_AUTH_PROXY_REDIS_MASTER_NAME", RedisSentinelGroup.MASTER_NAME,
                "AKS_AUTH_PROXY_REDIS_SENTINELS", group.sentinelPorts().stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(",")));
    }
}
