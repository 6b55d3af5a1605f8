package io.github.aksauthproxy.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the fault harness runs and for how long (bench/faults/README.md). The full run keeps each Entra fault 60 s,
 * the token file fault 70 s and the API server down 30 s, with 30 s of quiet after each, and fits in 30 minutes;
 * {@code --short} keeps every fault a few seconds with 100 users, for CI, and writes under target/.
 *
 * @param users            signed-in sessions, each calling through nginx at {@code ratePerSecond} for the whole run
 * @param faultSeconds     how long each Entra fault lasts (Entra down, 5 s latency, 429 ...)
 * @param minorFaultSeconds how long the shorter Entra faults last (500s, 503, black hole, invalid_grant)
 * @param tokenFileSeconds the federated token file fault: rewritten every third of it, unreadable for the middle part
 * @param apiDownSeconds   how long the Kubernetes API server is unreachable
 * @param quietSeconds     calm after each fault, where recovery is measured
 * @param tokenLifetime    seconds the stand-in's access tokens live: short, so renewals fall inside the faults
 * @param idleTimeout      the service's session idle timeout in seconds (cookies are renewed every eighth of it)
 * @param hangSeconds      an answer later than this counts as a hang
 */
record FaultOptions(boolean shortRun, Path projectDir, Path jar, Path out, String command, int users, double ratePerSecond,
                    int faultSeconds, int minorFaultSeconds, int tokenFileSeconds, int apiDownSeconds, int quietSeconds, int entraLatencyMs,
                    int tokenLifetime, int idleTimeout, int hangSeconds, List<String> javaOpts) {

    /**
     * The longest an auth subrequest may legitimately take, from the service's own bounds: a token request to Entra
     * (5 s to connect, 15 s to read) and then an RBAC check (5 s for a connection, 5 s for the answer). Later is a hang.
     */
    static final int HANG_SECONDS = 30;

    static FaultOptions full(Path projectDir) {
        return new FaultOptions(false, projectDir, projectDir.resolve("target/aks-auth-proxy.jar"), projectDir.resolve("RELIABILITY.md"),
                "bench/faults/run.sh", 200, 1.0, 60, 30, 70, 30, 30, 5_000, 360, 300, HANG_SECONDS, List.of());
    }

    static FaultOptions shortForm(Path projectDir) {
        return new FaultOptions(true, projectDir, projectDir.resolve("target/aks-auth-proxy.jar"),
                projectDir.resolve("target/faults-short/RELIABILITY.md"), "bench/faults/run.sh --short", 100, 1.0, 4, 3, 9, 3, 3, 5_000,
                310, 120, HANG_SECONDS, List.of());
    }

    /** Where the harness keeps its files and each process's log. */
    Path workDir() {
        return projectDir.resolve("target").resolve(shortRun ? "faults-short-work" : "faults-work");
    }

    /**
     * {@code [--short] [--out FILE] [--users N] [--rate R] [--fault N] [--minor-fault N] [--token-file N] [--api-down N]
     * [--quiet N] [--token-lifetime N] [--idle-timeout N] [--java-opts "..."] [--command "..."]}; the project is the
     * working directory.
     */
    static FaultOptions parse(String[] args) {
        Path dir = Path.of("").toAbsolutePath();
        List<String> a = new ArrayList<>(Arrays.asList(args));
        FaultOptions o = a.contains("--short") ? shortForm(dir) : full(dir);
        for (int i = 0; i < a.size(); i++) {
            String flag = a.get(i);
            if (flag.equals("--short")) {
                continue;
            }
            if (i + 1 >= a.size()) {
                throw new IllegalArgumentException("missing value after " + flag);
            }
            String v = a.get(++i);
            o = switch (flag) {
                case "--out" -> new FaultOptions(o.shortRun, o.projectDir, o.jar, Path.of(v).toAbsolutePath(), o.command, o.users, o.ratePerSecond,
                        o.faultSeconds, o.minorFaultSeconds, o.tokenFileSeconds, o.apiDownSeconds, o.quietSeconds, o.entraLatencyMs,
                        o.tokenLifetime, o.idleTimeout, o.hangSeconds, o.javaOpts);
                case "--command" -> new FaultOptions(o.shortRun, o.projectDir, o.jar, o.out, v, o.users, o.ratePerSecond, o.faultSeconds,
                        o.minorFaultSeconds, o.tokenFileSeconds, o.apiDownSeconds, o.quietSeconds, o.entraLatencyMs, o.tokenLifetime,
                        o.idleTimeout, o.hangSeconds, o.javaOpts);
                case "--users" -> o.withInts(Integer.parseInt(v), o.faultSeconds, o.minorFaultSeconds, o.tokenFileSeconds, o.apiDownSeconds,
                        o.quietSeconds, o.tokenLifetime, o.idleTimeout);
                case "--rate" -> new FaultOptions(o.shortRun, o.projectDir, o.jar, o.out, o.command, o.users, Double.parseDouble(v),
                        o.faultSeconds, o.minorFaultSeconds, o.tokenFileSeconds, o.apiDownSeconds, o.quietSeconds, o.entraLatencyMs,
                        o.tokenLifetime, o.idleTimeout, o.hangSeconds, o.javaOpts);
                case "--fault" -> o.withInts(o.users, Integer.parseInt(v), o.minorFaultSeconds, o.tokenFileSeconds, o.apiDownSeconds,
                        o.quietSeconds, o.tokenLifetime, o.idleTimeout);
                case "--minor-fault" -> o.withInts(o.users, o.faultSeconds, Integer.parseInt(v), o.tokenFileSeconds, o.apiDownSeconds,
                        o.quietSeconds, o.tokenLifetime, o.idleTimeout);
                case "--token-file" -> o.withInts(o.users, o.faultSeconds, o.minorFaultSeconds, Integer.parseInt(v), o.apiDownSeconds,
                        o.quietSeconds, o.tokenLifetime, o.idleTimeout);
                case "--api-down" -> o.withInts(o.users, o.faultSeconds, o.minorFaultSeconds, o.tokenFileSeconds, Integer.parseInt(v),
                        o.quietSeconds, o.tokenLifetime, o.idleTimeout);
                case "--quiet" -> o.withInts(o.users, o.faultSeconds, o.minorFaultSeconds, o.tokenFileSeconds, o.apiDownSeconds,
                        Integer.parseInt(v), o.tokenLifetime, o.idleTimeout);
                case "--token-lifetime" -> o.withInts(o.users, o.faultSeconds, o.minorFaultSeconds, o.tokenFileSeconds, o.apiDownSeconds,
                        o.quietSeconds, Integer.parseInt(v), o.idleTimeout);
                case "--idle-timeout" -> o.withInts(o.users, o.faultSeconds, o.minorFaultSeconds, o.tokenFileSeconds, o.apiDownSeconds,
                        o.quietSeconds, o.tokenLifetime, Integer.parseInt(v));
                case "--java-opts" -> new FaultOptions(o.shortRun, o.projectDir, o.jar, o.out, o.command, o.users, o.ratePerSecond,
                        o.faultSeconds, o.minorFaultSeconds, o.tokenFileSeconds, o.apiDownSeconds, o.quietSeconds, o.entraLatencyMs,
                        o.tokenLifetime, o.idleTimeout, o.hangSeconds, v.isBlank() ? List.of() : List.of(v.trim().split("\\s+")));
                default -> throw new IllegalArgumentException("unknown option " + flag);
            };
        }
        if (o.tokenLifetime < 300) {
            throw new IllegalArgumentException("--token-lifetime must be at least 300 s: the service renews a token 5 minutes before it expires");
        }
        if (o.users < 1 || o.ratePerSecond <= 0) {
            throw new IllegalArgumentException("--users and --rate must be positive");
        }
        return o;
    }

    private FaultOptions withInts(int users, int fault, int minor, int tokenFile, int apiDown, int quiet, int lifetime, int idle) {
        return new FaultOptions(shortRun, projectDir, jar, out, command, users, ratePerSecond, fault, minor, tokenFile, apiDown, quiet,
                entraLatencyMs, lifetime, idle, hangSeconds, javaOpts);
    }
}
