package io.github.aksauthproxy.it;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Redis Cluster of three masters (no replicas) on free loopback ports, its slots assigned with
 * {@code redis-cli --cluster create}. Started ready ({@code cluster_state:ok} on every node); {@link #close()} stops it.
 */
public final class RedisClusterProcess implements AutoCloseable {
    private static final Duration READY_WITHIN = Duration.ofSeconds(30);
    private final List<RedisProcess> nodes = new ArrayList<>();

    private RedisClusterProcess() {
    }

    public static RedisClusterProcess start() throws IOException, InterruptedException {
        return start(i -> new String[0]);
    }

    /** @param moreArgs the options of node {@code i} (0-2) beyond the cluster's own, such as TLS (see {@link RedisTlsFiles}) */
    public static RedisClusterProcess start(java.util.function.IntFunction<String[]> moreArgs) throws IOException, InterruptedException {
        RedisClusterProcess cluster = new RedisClusterProcess();
        try {
            for (int i = 0; i < 3; i++) {
                List<String> args = new ArrayList<>(List.of("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                        "--cluster-node-timeout", "2000"));
                args.addAll(List.of(moreArgs.apply(i)));
                cluster.nodes.add(RedisProcess.start(args.toArray(new String[0])));
            }
            List<String> cmd = new ArrayList<>(List.of(RequiredBinary.find("redis-cli", "redis-tools").toString(), "--cluster", "create"));
            cluster.nodes.forEach(n -> cmd.add("127.0.0.1:" + n.port()));
            cmd.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
            Process create = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(cluster.nodes.get(0).dir().resolve("cluster-create.log").toFile()).start();
            if (!create.waitFor(30, TimeUnit.SECONDS) || create.exitValue() != 0) {
                throw new IOException("redis-cli --cluster create failed; see " + cluster.nodes.get(0).dir().resolve("cluster-create.log"));
            }
            cluster.awaitReady();
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    private void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + READY_WITHIN.toNanos();
        while (System.nanoTime() < deadline) {
            if (nodes.stream().allMatch(n -> n.command("CLUSTER", "INFO").contains("cluster_state:ok"))) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IOException("the cluster did not reach cluster_state:ok within " + READY_WITHIN);
    }

    public List<RedisProcess> nodes() {
        return List.copyOf(nodes);
    }

    @Override
    public void close() {
        nodes.forEach(RedisProcess::close);
    }
}
