package io.github.aksauthproxy.it;

import io.github.aksauthproxy.redis.Within;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * A master, one replica and three Sentinels (Debian packages redis-server and redis-sentinel) on free loopback ports,
 * with a quick failover (the master is judged down after one second). Started ready: the replica is in sync and every
 * Sentinel knows the replica and the two other Sentinels. {@link #close()} stops them all.
 */
public final class RedisSentinelGroup implements AutoCloseable {
    public static final String MASTER_NAME = "mymaster";
    private static final Duration READY_WITHIN = Duration.ofSeconds(30);
    /**
     * A full sync starts at once (no 5 s wait for more replicas) and a stalled one is given up after 10 s, not 60 s, so
     * the replica tries again on its own: with the default, one stalled sync on a loaded CI machine outlasted the
     * harness's one-minute wait for the group to be whole again.
     */
    private static final String[] SYNC_ARGS = {"--repl-diskless-sync-delay", "0", "--repl-timeout", "10"};
    /** How long a replica may go with its link down and no sync under way before it is told REPLICAOF again. */
    private static final Duration RESYNC_AFTER = Duration.ofSeconds(15);
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

    public static RedisSentinelGroup start() throws Exception {
        Path sentinel = RequiredBinary.find("redis-sentinel", "redis-sentinel");
        RedisProcess master = RedisProcess.start(SYNC_ARGS);
        RedisProcess replica = RedisProcess.start(SYNC_ARGS);
        RedisSentinelGroup group = new RedisSentinelGroup(master, replica, Files.createTempDirectory("sentinels-"));
        try {
            replica.command("REPLICAOF", "127.0.0.1", String.valueOf(master.port()));
            for (int i = 0; i < 3; i++) {
                group.startSentinel(sentinel, i);
            }
            group.awaitReady();
            return group;
        } catch (Exception | AssertionError e) {
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

    private void awaitReady() throws Exception {
        until(READY_WITHIN, "the Sentinel group to be ready", () -> replica.command("INFO", "replication").contains("master_link_status:up")
                && sentinelPorts.stream().allMatch(this::sentinelSeesAll));
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
     * none at all in TILT mode, which a loaded machine can bring on (a fault run once waited over a minute for it); it is
     * told again if its sync stalls (a CI run once saw no sync for a minute after the first REPLICAOF).
     * Returns the time from {@code killedAtNanos} to the new master's name.
     */
    public Duration awaitFailoverFrom(RedisProcess old, long killedAtNanos, Duration within) throws Exception {
        RedisProcess promoted = old == master ? replica : master;
        until(within, "a Sentinel failover", () -> currentMasterPort() == promoted.port());
        Duration failover = Duration.ofNanos(System.nanoTime() - killedAtNanos);
        old.startEmpty();
        syncAsReplica(old, promoted, within, "the old master to sync as the new master's replica");
        return failover;
    }

    /**
     * Tells {@code follower} REPLICAOF {@code leader} and waits until it is in sync, telling it again whenever its link
     * has been down with no sync under way for {@link #RESYNC_AFTER}.
     */
    private void syncAsReplica(RedisProcess follower, RedisProcess leader, Duration within, String what) throws Exception {
        follower.command("REPLICAOF", "127.0.0.1", String.valueOf(leader.port()));
        long[] idleSince = {System.nanoTime()};
        until(within, what, () -> {
            List<String> info = follower.command("INFO", "replication").lines().map(String::strip).toList();
            if (info.contains("master_port:" + leader.port()) && info.contains("master_link_status:up")) {
                return true;
            }
            if (info.contains("master_sync_in_progress:1")) {
                idleSince[0] = System.nanoTime();
            } else if (System.nanoTime() - idleSince[0] > RESYNC_AFTER.toNanos()) {
                // the same REPLICAOF again would be answered "Already connected" and change nothing
                follower.command("REPLICAOF", "NO", "ONE");
                follower.command("REPLICAOF", "127.0.0.1", String.valueOf(leader.port()));
                idleSince[0] = System.nanoTime();
            }
            return false;
        });
    }

    /**
     * {@link Within#until}, failing with both servers' replication state and the last lines of every log of the group,
     * since the directories holding them are removed when the group closes.
     */
    private void until(Duration within, String what, Callable<Boolean> condition) throws Exception {
        try {
            Within.until(within, what, condition);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; port " + master.port() + ": " + replicationOf(master) + "; port " + replica.port() + ": "
                    + replicationOf(replica) + logTails(), e.getCause());
        }
    }

    private static String replicationOf(RedisProcess server) {
        try {
            return server.command("INFO", "replication").lines().map(String::strip).collect(java.util.stream.Collectors.joining(" "));
        } catch (RuntimeException e) {
            return "no answer (" + e.getMessage() + ")";
        }
    }

    /** The last lines of every log of the group, for a failure message. */
    private String logTails() {
        StringBuilder out = new StringBuilder();
        List<Path> logs = new ArrayList<>();
        for (int i = 0; i < sentinels.size(); i++) {
            logs.add(dir.resolve("sentinel-" + i + ".log"));
        }
        logs.add(master.dir().resolve("redis.log"));
        logs.add(replica.dir().resolve("redis.log"));
        for (Path log : logs) {
            try {
                List<String> lines = Files.readAllLines(log);
                out.append("\n--- ").append(log).append(" (last lines) ---\n")
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 25), lines.size())));
            } catch (IOException e) {
                out.append("\n--- ").append(log).append(": ").append(e.getMessage());
            }
        }
        return out.toString();
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
        m.startEmpty();
        m.command("REPLICAOF", "NO", "ONE");
        r.startEmpty();
        syncAsReplica(r, m, within, "the replica to sync after the restart");
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
