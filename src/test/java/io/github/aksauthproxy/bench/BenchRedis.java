package io.github.aksauthproxy.bench;

import io.github.aksauthproxy.it.RedisProcess;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rig's Redis: a real redis-server (Debian's) on a free loopback port ({@link RedisProcess}, the tests' own), the
 * settings that put the service on it, and the commands it served, counted by the server itself
 * ({@code INFO commandstats}), so nothing in the service can under-report them.
 */
final class BenchRedis implements AutoCloseable {
    private static final Pattern CALLS = Pattern.compile("^cmdstat_([^:]+):calls=(\\d+)", Pattern.MULTILINE);

    private final RedisProcess server;

    private BenchRedis(RedisProcess server) {
        this.server = server;
    }

    static BenchRedis start() throws IOException {
        return new BenchRedis(RedisProcess.start());
    }

    /** The environment that runs the service with its sessions, tokens and rate limits in this server. */
    Map<String, String> settings() {
        return Map.of("AKS_AUTH_PROXY_SESSION_STORE", "redis", "AKS_AUTH_PROXY_REDIS_URL", server.url());
    }

    /** Calls of each command since the server started, as {@code INFO commandstats} lists them. */
    Snapshot commandStats() {
        Map<String, Long> calls = new TreeMap<>();
        Matcher m = CALLS.matcher(server.command("INFO", "commandstats"));
        while (m.find()) {
            calls.put(m.group(1), Long.parseLong(m.group(2)));
        }
        return new Snapshot(calls);
    }

    record Snapshot(Map<String, Long> calls) {
        /**
         * The commands made between {@code before} and this snapshot, by name, without the INFO the rig itself sent
         * for {@code before} (the server counts a command once it has answered it), for {@code requests} requests.
         */
        Commands since(Snapshot before, long requests) {
            Map<String, Long> made = new TreeMap<>();
            calls.forEach((name, n) -> {
                long d = n - before.calls.getOrDefault(name, 0L) - (name.equals("info") ? 1 : 0);
                if (d > 0) {
                    made.put(name, d);
                }
            });
            return new Commands(made, requests);
        }
    }

    /**
     * Commands counted at the server over some requests (as the service counted its answers). The service's readiness
     * check sends one PING every 10 s whatever the load; it is listed but not counted as a command of the requests.
     * A script's own commands (TIME, GET, SET inside the rate-limit script) are counted by the server as well.
     */
    record Commands(Map<String, Long> byName, long requests) {
        static final String READINESS = "ping";

        long ofRequests() {
            return byName.entrySet().stream().filter(e -> !e.getKey().equals(READINESS)).mapToLong(Map.Entry::getValue).sum();
        }

        double perRequest() {
            return (double) ofRequests() / requests;
        }

        /** Script calls (EVALSHA, EVAL) per request: each is one round trip to Redis. */
        double scriptCallsPerRequest() {
            return (double) (byName.getOrDefault("evalsha", 0L) + byName.getOrDefault("eval", 0L)) / requests;
        }

        /** {@code EVALSHA 1200, PING 1}, or {@code none}. */
        String listed() {
            if (byName.isEmpty()) {
                return "none";
            }
            StringBuilder s = new StringBuilder();
            byName.forEach((name, n) -> s.append(s.isEmpty() ? "" : ", ").append(name.toUpperCase(java.util.Locale.ROOT)).append(' ').append(n));
            return s.toString();
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
