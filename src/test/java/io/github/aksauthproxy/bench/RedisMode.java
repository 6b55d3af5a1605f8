package io.github.aksauthproxy.bench;

import io.github.aksauthproxy.it.RedisProcess;
import java.io.IOException;
import java.util.Map;

/**
 * The service's {@code redis} session store for the benchmarks: a real redis-server (the test suite's
 * {@link RedisProcess}: Debian's package, a free loopback port, persistence off) and the settings that point every
 * replica the rig starts at it. The one place the rig starts Redis.
 */
final class RedisMode implements AutoCloseable {
    private final RedisProcess server;

    private RedisMode(RedisProcess server) {
        this.server = server;
    }

    static RedisMode start() throws IOException {
        return new RedisMode(RedisProcess.start());
    }

    /** Added to a replica's environment: sessions, tokens and rate limits in this Redis. */
    Map<String, String> env() {
        return Map.of("AKS_AUTH_PROXY_SESSION_STORE", "redis", "AKS_AUTH_PROXY_REDIS_URL", server.url());
    }

    /** The server's answer to a command, e.g. {@code INFO commandstats}. */
    String command(String... args) {
        return server.command(args);
    }

    @Override
    public void close() {
        server.close();
    }
}
