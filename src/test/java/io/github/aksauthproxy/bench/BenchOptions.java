package io.github.aksauthproxy.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the rig runs and for how long. The full run: 3 alternating rounds of 15 s after 10 s of warm-up per side,
 * wrk with 2 threads and 32 connections, 1,000 cold sessions, 100,000 cached tokens. {@code --smoke}: 3 rounds of
 * 1 s after 1 s of warm-up, 100 cold sessions, 2,000 cached tokens, report under target/.
 */
record BenchOptions(boolean smoke, Path projectDir, Path jar, Path out, String command, int rounds, int seconds, int warmupSeconds,
                    int wrkThreads, int connections, int coldSessions, int footprintSessions, int signInConcurrency,
                    int nginxWorkers, List<String> javaOpts) {

    static BenchOptions full(Path projectDir) {
        return new BenchOptions(false, projectDir, projectDir.resolve("target/aks-auth-proxy.jar"), projectDir.resolve("BENCHMARKS.md"),
                "bench/run.sh", 3, 15, 10, 2, 32, 1_000, 100_000, 8, 1, List.of());
    }

    static BenchOptions smoke(Path projectDir) {
        return new BenchOptions(true, projectDir, projectDir.resolve("target/aks-auth-proxy.jar"),
                projectDir.resolve("target/bench-smoke/BENCHMARKS.md"), "bench/run.sh --smoke", 3, 1, 1, 2, 32, 100, 2_000, 4, 1, List.of());
    }

    /** Where the rig keeps its files and each process's log ({@code <name>.log}). */
    Path workDir() {
        return projectDir.resolve("target").resolve(smoke ? "bench-smoke" : "bench-work");
    }

    /** {@code [--smoke] [--out FILE] [--rounds N] [--seconds N] [--warmup N] [--connections N] [--cold N] [--footprint N]
     * [--java-opts "..."] [--command "..."]}; the project is the working directory. */
    static BenchOptions parse(String[] args) {
        Path dir = Path.of("").toAbsolutePath();
        List<String> a = new ArrayList<>(Arrays.asList(args));
        BenchOptions o = a.contains("--smoke") ? smoke(dir) : full(dir);
        for (int i = 0; i < a.size(); i++) {
            String flag = a.get(i);
            if (flag.equals("--smoke")) {
                continue;
            }
            if (i + 1 >= a.size()) {
                throw new IllegalArgumentException("missing value after " + flag);
            }
            String v = a.get(++i);
            o = switch (flag) {
                case "--out" -> o.with(Path.of(v).toAbsolutePath(), o.command, o.rounds, o.seconds, o.warmupSeconds, o.connections, o.coldSessions, o.footprintSessions, o.javaOpts);
                case "--command" -> o.with(o.out, v, o.rounds, o.seconds, o.warmupSeconds, o.connections, o.coldSessions, o.footprintSessions, o.javaOpts);
                case "--rounds" -> o.with(o.out, o.command, Integer.parseInt(v), o.seconds, o.warmupSeconds, o.connections, o.coldSessions, o.footprintSessions, o.javaOpts);
                case "--seconds" -> o.with(o.out, o.command, o.rounds, Integer.parseInt(v), o.warmupSeconds, o.connections, o.coldSessions, o.footprintSessions, o.javaOpts);
                case "--warmup" -> o.with(o.out, o.command, o.rounds, o.seconds, Integer.parseInt(v), o.connections, o.coldSessions, o.footprintSessions, o.javaOpts);
                case "--connections" -> o.with(o.out, o.command, o.rounds, o.seconds, o.warmupSeconds, Integer.parseInt(v), o.coldSessions, o.footprintSessions, o.javaOpts);
                case "--cold" -> o.with(o.out, o.command, o.rounds, o.seconds, o.warmupSeconds, o.connections, Integer.parseInt(v), o.footprintSessions, o.javaOpts);
                case "--footprint" -> o.with(o.out, o.command, o.rounds, o.seconds, o.warmupSeconds, o.connections, o.coldSessions, Integer.parseInt(v), o.javaOpts);
                case "--java-opts" -> o.with(o.out, o.command, o.rounds, o.seconds, o.warmupSeconds, o.connections, o.coldSessions, o.footprintSessions,
                        v.isBlank() ? List.of() : List.of(v.trim().split("\\s+")));
                default -> throw new IllegalArgumentException("unknown option " + flag);
            };
        }
        if (o.rounds < 3 && !o.smoke) {
            throw new IllegalArgumentException("--rounds must be at least 3: every figure is a median of at least 3 rounds");
        }
        return o;
    }

    /** The same options for another jar (the image's, at the path its ENTRYPOINT names). */
    BenchOptions withJar(Path otherJar) {
        return new BenchOptions(smoke, projectDir, otherJar, out, command, rounds, seconds, warmupSeconds, wrkThreads, connections, coldSessions,
                footprintSessions, signInConcurrency, nginxWorkers, javaOpts);
    }

    private BenchOptions with(Path out, String command, int rounds, int seconds, int warmup, int connections, int cold, int footprint,
                              List<String> javaOpts) {
        return new BenchOptions(smoke, projectDir, jar, out, command, rounds, seconds, warmup, wrkThreads, connections, cold, footprint,
                signInConcurrency, nginxWorkers, javaOpts);
    }
}
