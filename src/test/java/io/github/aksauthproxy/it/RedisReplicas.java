package io.github.aksauthproxy.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The redis session store as it runs in a cluster, started once for a test class: one real redis-server (with an
 * append-only file, so it keeps its data across a restart), the stand-in for Entra, and several replicas of the service
 * sharing both, each with its own Vert.x and Redis client, all on one clock:
 * {@code @RegisterExtension static final RedisReplicas env = new RedisReplicas(3, Map.of(...))}.
 */
final class RedisReplicas implements BeforeAllCallback, AfterAllCallback {
    private final int count;
    private final Map<String, String> settings;
    private final List<ServiceUnderTest> replicas = new ArrayList<>();
    private Path dir;
    private EntraStandIn idp;
    private RedisProcess redis;
    private MutableClock clock;

    /** @param settings environment entries on top of {@link ServiceUnderTest#environment} and the redis store's */
    RedisReplicas(int count, Map<String, String> settings) {
        this.count = count;
        this.settings = settings;
    }

    EntraStandIn idp() {
        return idp;
    }

    RedisProcess redis() {
        return redis;
    }

    MutableClock clock() {
        return clock;
    }

    ServiceUnderTest replica(int i) {
        return replicas.get(i);
    }

    List<ServiceUnderTest> replicas() {
        return List.copyOf(replicas);
    }

    /** A browser signed in at replica {@code i}. */
    TestBrowser signedInAt(int i) {
        return replica(i).signedInAs(idp, EntraStandIn.ALICE);
    }

    /** One {@code /oauth2/auth} request to {@code replica} with this Cookie header, from a fresh client. */
    java.net.http.HttpResponse<String> authWith(ServiceUnderTest replica, String cookieHeader) {
        return new TestBrowser(idp.trust()).get(replica.auth(), Map.of("Cookie", cookieHeader));
    }

    /** Waits until {@code replica} answers this cookie without reading Redis (its copy in memory), bounded by time. */
    void answersFromMemory(ServiceUnderTest replica, String cookieHeader) throws Exception {
        io.github.aksauthproxy.redis.Within.until(java.time.Duration.ofSeconds(5), "the replica to answer from memory", () -> {
            org.assertj.core.api.Assertions.assertThat(authWith(replica, cookieHeader).statusCode()).isEqualTo(200);
            long calls = commandCalls();
            return authWith(replica, cookieHeader).statusCode() == 200 && commandCalls() == calls;
        });
    }

    /**
     * How many commands Redis has run, from INFO commandstats, but for INFO itself (the tests' own). A script counts
     * once for its EVAL or EVALSHA and once for each command it calls.
     */
    long commandCalls() {
        long calls = 0;
        for (String line : redis.command("INFO", "commandstats").split("\r?\n")) {
            if (line.startsWith("cmdstat_") && !line.startsWith("cmdstat_info:")) {
                calls += Long.parseLong(line.substring(line.indexOf("calls=") + 6, line.indexOf(',')));
            }
        }
        return calls;
    }

    /** How often Redis has run one command, from INFO commandstats. */
    long commandCalls(String command) {
        for (String line : redis.command("INFO", "commandstats").split("\r?\n")) {
            if (line.startsWith("cmdstat_" + command + ":calls=")) {
                return Long.parseLong(line.substring(line.indexOf('=') + 1, line.indexOf(',')));
            }
        }
        return 0;
    }

    /** Stops every replica, then starts as many new ones on the same Redis (a rolling restart, all at once). */
    void restartAll() throws Exception {
        for (ServiceUnderTest r : replicas) {
            r.close();
        }
        replicas.clear();
        startReplicas();
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("aks-auth-proxy-redis-it");
        idp = new EntraStandIn();
        redis = RedisProcess.start("--appendonly", "yes");
        clock = new MutableClock(Instant.now());
        startReplicas();
    }

    private void startReplicas() throws Exception {
        Map<String, String> env = new HashMap<>(settings);
        env.put("AKS_AUTH_PROXY_SESSION_STORE", "redis");
        env.put("AKS_AUTH_PROXY_REDIS_URL", redis.url());
        for (int i = 0; i < count; i++) {
            replicas.add(ServiceUnderTest.start(idp, dir, clock, env));
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            for (ServiceUnderTest r : replicas) {
                r.close();
            }
            idp.close();
            redis.close();
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                // A leftover temporary directory fails no test.
            }
        }
    }
}
