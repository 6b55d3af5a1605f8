package io.github.aksauthproxy.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the rig runs and for how long. The full run: 3 alternating rounds of 15 s after 10 s of warm-up per side,
 * wrk with 2 threads and 32 connections, 1,000 cold sessions, 100,000 sessions for the footprint (64 at a time), 32
 * browsers signing in, 200 sessions for the restart in redis mode, the IdP answering token requests after 150 ms in
 * the cold path, sign-in and redis benchmarks. {@code --smoke}: 2 rounds of 1 s after 1 s of warm-up, 100 cold
 * sessions, 500 cached tokens, 20 sessions for the restart, services that stop without the shutdown delay, report
 * under target/.
 *
 * @param signInRoundSeconds sign-in rounds are shorter than wrk's: they alternate cookie and redis mode
 * @param only the benchmarks to run ({@link #runs}); empty: all of them
 * @param footprintConcurrency requests at a time while loading the footprint's sessions
 */
record BenchOptions(boolean smoke, Path projectDir, Path jar, Path out, String command, int rounds, int seconds, int warmupSeconds,
                    int wrkThreads, int connections, int coldSessions, int footprintSessions, int signInConcurrency,
                    int nginxWorkers, List<String> javaOpts, int idpLatencyMs, int signInRoundSeconds, int redisSessions,
                    List<String> only, int footprintConcurrency) {
    /** The names {@code --only} takes. */
    static final List<String> BENCHMARKS = List.of("warm", "nginx", "cold", "sign-in", "redis", "footprint");

    static BenchOptions full(Path projectDir) {
        return new BenchOptions(false, projectDir, projectDir.resolve("target/aks-auth-proxy.jar"), projectDir.resolve("BENCHMARKS.md"),
                "bench/run.sh", 3, 15, 10, 2, 32, 1_000, 100_000, 32, 1, List.of(), 150, 8, 200, List.of(), 64);
    }

    static BenchOptions smoke(Path projectDir) {
        return new BenchOptions(true, projectDir, projectDir.resolve("target/aks-auth-proxy.jar"),
                projectDir.resolve("target/bench-smoke/BENCHMARKS.md"), "bench/run.sh --smoke", 2, 1, 1, 2, 32, 100, 500, 32, 1, List.of(),
                150, 1, 20, List.of(), 64);
    }

    /** Whether this run includes the benchmark ({@link #BENCHMARKS}). */
    boolean runs(String benchmark) {
        return only.isEmpty() || only.contains(benchmark);
    }

    /** Where the rig keeps its files and each process's log ({@code <name>.log}). */
    Path workDir() {
        return projectDir.resolve("target").resolve(smoke ? "bench-smoke" : "bench-work");
    }

    /**
     * {@code [--smoke] [--out FILE] [--rounds N] [--seconds N] [--warmup N] [--connections N] [--cold N] [--footprint N]
     * [--footprint-concurrency N] [--java-opts "..."] [--command "..."] [--idp-latency-ms N] [--redis-sessions N]
     * [--only warm,nginx,cold,sign-in,redis,footprint]}; the project is the working directory.
     */
    static BenchOptions parse(String[] args) {
        Path dir = Path.of("").toAbsolutePath();
        List<String> a = new ArrayList<>(Arrays.asList(args));
        BenchOptions d = a.contains("--smoke") ? smoke(dir) : full(dir);
        Path out = d.out;
        String command = d.command;
        int rounds = d.rounds;
        int seconds = d.seconds;
        int warmup = d.warmupSeconds;
        int connections = d.connections;
        int cold = d.coldSessions;
        int footprint = d.footprintSessions;
        int footprintConcurrency = d.footprintConcurrency;
        List<String> javaOpts = d.javaOpts;
        int latency = d.idpLatencyMs;
        int redisSessions = d.redisSessions;
        List<String> only = d.only;
        for (int i = 0; i < a.size(); i++) {
            String flag = a.get(i);
            if (flag.equals("--smoke")) {
                continue;
            }
            if (i + 1 >= a.size()) {
                throw new IllegalArgumentException("missing value after " + flag);
            }
            String v = a.get(++i);
            switch (flag) {
                case "--out" -> out = Path.of(v).toAbsolutePath();
                case "--command" -> command = v;
                case "--rounds" -> rounds = Integer.parseInt(v);
                case "--seconds" -> seconds = Integer.parseInt(v);
                case "--warmup" -> warmup = Integer.parseInt(v);
                case "--connections" -> connections = Integer.parseInt(v);
                case "--cold" -> cold = Integer.parseInt(v);
                case "--footprint" -> footprint = Integer.parseInt(v);
                case "--footprint-concurrency" -> footprintConcurrency = Integer.parseInt(v);
                case "--java-opts" -> javaOpts = v.isBlank() ? List.of() : List.of(v.trim().split("\\s+"));
                case "--idp-latency-ms" -> latency = Integer.parseInt(v);
                case "--redis-sessions" -> redisSessions = Integer.parseInt(v);
                case "--only" -> only = only(v);
                default -> throw new IllegalArgumentException("unknown option " + flag);
            }
        }
        if (rounds < 3 && !d.smoke) {
            throw new IllegalArgumentException("--rounds must be at least 3: every figure is a median of at least 3 rounds");
        }
        return new BenchOptions(d.smoke, dir, d.jar, out, command, rounds, seconds, warmup, d.wrkThreads, connections, cold, footprint,
                d.signInConcurrency, d.nginxWorkers, javaOpts, latency, d.signInRoundSeconds, redisSessions, only, footprintConcurrency);
    }

    /** The same options for another jar (the image's, at the path its ENTRYPOINT names). */
    BenchOptions withJar(Path otherJar) {
        return new BenchOptions(smoke, projectDir, otherJar, out, command, rounds, seconds, warmupSeconds, wrkThreads, connections, coldSessions,
                footprintSessions, signInConcurrency, nginxWorkers, javaOpts, idpLatencyMs, signInRoundSeconds, redisSessions, only,
                footprintConcurrency);
    }

    private static List<String> only(String list) {
        List<String> names = List.of(list.split(","));
        names.stream().filter(n -> !BENCHMARKS.contains(n)).findFirst().ifPresent(n -> {
            throw new IllegalArgumentException("--only takes " + String.join(",", BENCHMARKS) + ", not " + n);
        });
        return names;
    }
}
