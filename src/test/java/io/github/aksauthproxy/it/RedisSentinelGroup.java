package io.github.aksauthproxy.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A master, one replica and three Sentinels (Debian packages redis-server and redis-sentinel) on free loopback ports,
 * with a quick failover (the master is judged down after one second). Started ready: the replica is in sync and every
 * Sentinel knows the replica and the two other Sentinels. {@link #close()} stops them all.
 */
public final class RedisSentinelGroup implements AutoCloseable {
    public static final String MASTER_NAME = "mymaster";
    private static final Duration READY_WITHIN = Duration.ofSeconds(30);
    private final RedisProcess master;
    private final RedisProcess replica;
    private final List<Process> sentinels = new ArrayList<>();
    private final List<Integer> sentinelPorts = new ArrayList<>();
    private final Path dir;

    private RedisSentinelGroup(RedisProcess master, RedisProcess replica, Path dir) {
        this.master = master;
        this.replica = replica;
        this.dir = dir;
    }

    public static RedisSentinelGroup start() throws IOException, InterruptedException {
        Path sentinel = RequiredBinary.find("redis-sentinel", "redis-sentinel");
        RedisProcess master = RedisProcess.start();
        RedisProcess replica = RedisProcess.start("--replicaof", "127.0.0.1", String.valueOf(master.port()));
        RedisSentinelGroup group = new RedisSentinelGroup(master, replica, Files.createTempDirectory("sentinels-"));
        try {
            for (int i = 0; i < 3; i++) {
                group.startSentinel(sentinel, i);
            }
            group.awaitReady();
            return group;
        } catch (IOException | InterruptedException | RuntimeException e) {
            group.close();
            throw e;
        }
    }

    private void startSentinel(Path binary, int i) throws IOException {
        int port = ServiceUnderTest.freePort();
        Path conf = dir.resolve("sentinel-" + i + ".conf");
        Files.writeString(conf, String.join("\n",
                "port " + port, "bind 127.0.0.1", "protected-mode no", "daemonize no",
                "dir " + dir, "logfile " + dir.resolve("sentinel-" + i + ".log"),
                "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + master.port() + " 2",
                "sentinel down-after-milliseconds " + MASTER_NAME + " 1000",
                "sentinel failover-timeout " + MASTER_NAME + " 5000",
                "sentinel parallel-syncs " + MASTER_NAME + " 1", ""));
        sentinels.add(new ProcessBuilder(binary.toString(), conf.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("sentinel-" + i + ".out").toFile()).start());
        sentinelPorts.add(port);
    }

    private void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + READY_WITHIN.toNanos();
        while (System.nanoTime() < deadline) {
            if (replica.command("INFO", "replication").contains("master_link_status:up") && sentinelPorts.stream().allMatch(this::sentinelSeesAll)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IOException("the Sentinel group was not ready within " + READY_WITHIN + "; logs in " + dir);
    }

    private boolean sentinelSeesAll(int port) {
        try {
            String master = RedisProcess.RespClient.call(port, "SENTINEL", "MASTER", MASTER_NAME);
            return master.contains("num-slaves\n1") && master.contains("num-other-sentinels\n2");
        } catch (RuntimeException e) {
            return false;
        }
    }

    public RedisProcess master() {
        return master;
    }

    public RedisProcess replica() {
        return replica;
    }

    public List<Integer> sentinelPorts() {
        return List.copyOf(sentinelPorts);
    }

    /** The port the Sentinels now name as master's. */
    public int currentMasterPort() {
        String addr = RedisProcess.RespClient.call(sentinelPorts.get(0), "SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME);
        return Integer.parseInt(addr.split("\n")[1]);
    }

    @Override
    public void close() {
        for (Process p : sentinels) {
            p.destroy();
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        replica.close();
        master.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temp directory left behind is harmless
        }
    }
}
