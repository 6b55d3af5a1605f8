package io.github.aksauthproxy.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * What the fault harness runs and for how long (bench/faults/README.md). The full run goes through the schedule in
 * cookie mode and then in redis mode: each main Entra fault 60 s, the token file rewritten every 30 s and missing for 20, the API server and Redis down
 * 30 s, with 20 s of quiet after each, and fits in 30 minutes; {@code --short} keeps every fault a few seconds with
 * 100 users, for CI, runs the faults both modes share in cookie mode only, and writes under target/.
 *
 * @param modes            session modes to run, in order: {@code cookie}, {@code redis}
 * @param users            signed-in sessions, each calling through nginx at {@code ratePerSecond} for the whole run
 * @param faultSeconds     how long each main Entra fault lasts (Entra down, 5 s latency, 429)
 * @param minorFaultSeconds how long the other Entra faults last (500s, 503, black hole, invalid_grant)
 * @param tokenFileSeconds the federated token file fault: rewritten this often (three periods), unreadable for two thirds of one
 * @param apiDownSeconds   how long the Kubernetes API server is unreachable
 * @param redisDownSeconds how long Redis is unreachable (redis mode)
 * @param quietSeconds     calm after each fault, where recovery is measured
 * @param tokenLifetime    seconds the stand-in's access tokens live: short, so renewals fall inside the faults
 * @param idleTimeout      the service's session idle timeout in seconds (cookies are renewed every eighth of it)
 * @param hangSeconds      an answer later than this counts as a hang
 */
record FaultOptions(boolean shortRun, Path projectDir, Path jar, Path out, String command, List<String> modes, int users, double ratePerSecond,
                    int faultSeconds, int minorFaultSeconds, int tokenFileSeconds, int apiDownSeconds, int redisDownSeconds, int quietSeconds,
                    int entraLatencyMs, int tokenLifetime, int idleTimeout, int hangSeconds, List<String> javaOpts) {

    /**
     * The longest an auth subrequest may legitimately take, from the service's own bounds: a token request to Entra
     * (5 s to connect, 15 s to read) and then an RBAC check (5 s for a connection, 5 s for the answer). Later is a hang.
     */
    static final int HANG_SECONDS = 30;
    static final List<String> MODES = List.of("cookie", "redis");

    static FaultOptions full(Path projectDir) {
        return parse(projectDir, new String[0]);
    }

    static FaultOptions shortForm(Path projectDir) {
        return parse(projectDir, new String[] {"--short"});
    }

    /** Where the harness keeps one mode's files and each process's log. */
    Path workDir(String mode) {
        return projectDir.resolve("target").resolve(shortRun ? "faults-short-work" : "faults-work").resolve(mode);
    }

    static FaultOptions parse(String[] args) {
        return parse(Path.of("").toAbsolutePath(), args);
    }

    /**
     * {@code [--short] [--mode cookie|redis|both] [--out FILE] [--users N] [--rate R] [--fault N] [--minor-fault N]
     * [--token-file N] [--api-down N] [--redis-down N] [--quiet N] [--token-lifetime N] [--idle-timeout N]
     * [--java-opts "..."] [--command "..."]}.
     */
    static FaultOptions parse(Path dir, String[] args) {
        List<String> a = Arrays.asList(args);
        boolean shortRun = a.contains("--short");
        Path out = dir.resolve(shortRun ? "target/faults-short/RELIABILITY.md" : "RELIABILITY.md");
        String command = shortRun ? "bench/faults/run.sh --short" : "bench/faults/run.sh";
        List<String> modes = MODES;
        int users = shortRun ? 100 : 200;
        double rate = 1.0;
        int fault = shortRun ? 4 : 60;
        int minor = shortRun ? 3 : 20;
        int tokenFile = shortRun ? 3 : 30;
        int apiDown = shortRun ? 3 : 30;
        int redisDown = shortRun ? 4 : 30;
        int quiet = shortRun ? 3 : 20;
        int lifetime = shortRun ? 310 : 360;
        int idle = shortRun ? 120 : 300;
        List<String> javaOpts = List.of();
        for (int i = 0; i < a.size(); i++) {
            String flag = a.get(i);
            if (flag.equals("--short")) {
                continue;
            }
            if (i + 1 >= a.size()) {
                throw new IllegalArgumentException("missing value after " + flag);
            }
            String v = a.get(++i);
            switch (flag) {
                case "--out" -> out = Path.of(v).toAbsolutePath();
                case "--command" -> command = v;
                case "--mode" -> modes = switch (v) {
                    case "both" -> MODES;
                    case "cookie", "redis" -> List.of(v);
                    default -> throw new IllegalArgumentException("--mode is cookie, redis or both, not " + v);
                };
                case "--users" -> users = Integer.parseInt(v);
                case "--rate" -> rate = Double.parseDouble(v);
                case "--fault" -> fault = Integer.parseInt(v);
                case "--minor-fault" -> minor = Integer.parseInt(v);
                case "--token-file" -> tokenFile = Integer.parseInt(v);
                case "--api-down" -> apiDown = Integer.parseInt(v);
                case "--redis-down" -> redisDown = Integer.parseInt(v);
                case "--quiet" -> quiet = Integer.parseInt(v);
                case "--token-lifetime" -> lifetime = Integer.parseInt(v);
                case "--idle-timeout" -> idle = Integer.parseInt(v);
                case "--java-opts" -> javaOpts = v.isBlank() ? List.of() : List.of(v.trim().split("\\s+"));
                default -> throw new IllegalArgumentException("unknown option " + flag);
            }
        }
        if (lifetime < 300) {
            throw new IllegalArgumentException("--token-lifetime must be at least 300 s: the service renews a token 5 minutes before it expires");
        }
        if (users <= FaultRun.VICTIM_SESSIONS || rate <= 0) {
            throw new IllegalArgumentException("--users must be more than " + FaultRun.VICTIM_SESSIONS + " and --rate positive");
        }
        return new FaultOptions(shortRun, dir, dir.resolve("target/aks-auth-proxy.jar"), out, command, modes, users, rate, fault, minor, tokenFile,
                apiDown, redisDown, quiet, 5_000, lifetime, idle, HANG_SECONDS, javaOpts);
    }
}
