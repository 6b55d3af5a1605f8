package io.github.aksauthproxy.it;

import io.github.aksauthproxy.redis.Within;
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

    /** The server the Sentinels now name as master. */
    public RedisProcess currentMaster() {
        return currentMasterPort() == master.port() ? master : replica;
    }

    /** The other server. */
    public RedisProcess currentReplica() {
        return currentMasterPort() == master.port() ? replica : master;
    }

    /** The master killed at once (SIGKILL), as a crashed node; returns it, for {@link #awaitFailoverFrom}. */
    public RedisProcess killMaster() {
        RedisProcess old = currentMaster();
        old.kill();
        return old;
    }

    /**
     * After {@link #killMaster()}: waits until the Sentinels name the other server as master, then starts the old one
     * again (empty) as the new master's replica and waits until it is in sync, so the group is whole again. It is told
     * REPLICAOF at once, as the Sentinels would tell it in time: their own conversion waits several publish periods and
     * none at all in TILT mode, which a loaded machine can bring on (a fault run once waited over a minute for it).
     * Returns the time from {@code killedAtNanos} to the new master's name.
     */
    public Duration awaitFailoverFrom(RedisProcess old, long killedAtNanos, Duration within) throws Exception {
        RedisProcess promoted = old == master ? replica : master;
        Within.until(within, "a Sentinel failover" + logs(), () -> currentMasterPort() == promoted.port());
        Duration failover = Duration.ofNanos(System.nanoTime() - killedAtNanos);
        old.startAgain();
        old.command("REPLICAOF", "127.0.0.1", String.valueOf(promoted.port()));
        Within.until(within, "the old master to sync as a replica" + logs(), () -> old.command("INFO", "replication").contains(
                "master_port:" + promoted.port()) && old.command("INFO", "replication").contains("master_link_status:up"));
        return failover;
    }

    /** Every process of the group frozen (SIGSTOP): nothing answers, connections stay open. {@link #thaw()} undoes it. */
    public void freeze() throws IOException, InterruptedException {
        master.signal("STOP");
        replica.signal("STOP");
        for (Process s : sentinels) {
            RedisProcess.signal(s.toHandle(), "STOP");
        }
    }

    /**
     * Every process goes on (SIGCONT), the Sentinels first. A Sentinel that finds its clock jumped enters TILT mode for
     * 30 s and makes no failover, so the group comes back as it was.
     */
    public void thaw() throws IOException, InterruptedException {
        for (Process s : sentinels) {
            RedisProcess.signal(s.toHandle(), "CONT");
        }
        master.signal("CONT");
        replica.signal("CONT");
    }

    /**
     * Both servers killed and started again with nothing in them, in the roles they had (the Sentinels' master first),
     * as after a restart without persistence; returns once the replica is in sync again.
     */
    public void restartEmpty(Duration within) throws Exception {
        RedisProcess m = currentMaster();
        RedisProcess r = m == master ? replica : master;
        m.kill();
        r.kill();
        m.startAgain();
        m.command("REPLICAOF", "NO", "ONE");
        r.startAgain();
        r.command("REPLICAOF", "127.0.0.1", String.valueOf(m.port()));
        Within.until(within, "the replica to sync after the restart" + logs(), () -> r.command("INFO", "replication").contains("master_link_status:up"));
    }

    private String logs() {
        return " (logs in " + dir + ", " + master.dir() + ", " + replica.dir() + ")";
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
