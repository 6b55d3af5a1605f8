package io.github.aksauthproxy.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The figures of one run, written as BENCHMARKS.md: medians of the rounds, ratios, targets and verdicts. */
final class Report {
    static final double WARM_RATIO_TARGET = 0.9;
    static final double WARM_P99_TARGET_MS = 2.0;
    static final Map<NginxRig.Mode, Double> NGINX_RATIO_TARGETS = Map.of(NginxRig.Mode.DEFAULT, 0.9, NginxRig.Mode.KEEPALIVE, 1.0);
    /** CPU time per auth request through NGINX without keepalive: the service's at most this many times the static nginx's. */
    static final double NGINX_CPU_RATIO_TARGET = 1.5;
    static final double REDIS_RATIO_TARGET = 0.95;
    static final long RSS_TARGET_MIB = 256;
    static final double READY_TARGET_MS = 2000;

    private final BenchOptions o;
    private final StringBuilder machine = new StringBuilder();
    private final List<String> sections = new ArrayList<>();
    private final List<String[]> targets = new ArrayList<>();
    private final List<String> missed = new ArrayList<>();
    private String elapsed = "";

    private double warmLimitRps;
    private double warmServiceRps;
    private double warmP99;
    private final Map<NginxRig.Mode, Double> nginxRatios = new EnumMap<>(NginxRig.Mode.class);
    private double nginxCpuRatio;
    private double redisRatio;
    private double transportRatio;
    private double redisCommandsPerRequest = Double.NaN;
    private double redisLimitedCommandsPerRequest = Double.NaN;
    private int coldSessions;
    private long coldIdpRequests;
    private double coldP99;
    private double signInsPerSecond;
    private int tokensCached;
    private long rssKib;
    private long heapKib;
    private double readyMedianMs;

    Report(BenchOptions o) {
        this.o = o;
    }

    /** The key figures, for the smoke test and the console. */
    record Results(double warmLimitRps, double warmServiceRps, double warmP99Ms, Map<NginxRig.Mode, Double> nginxRatios,
                   double nginxCpuRatio, double transportRatio, double redisRatio, double redisCommandsPerRequest, double redisLimitedCommandsPerRequest,
                   int coldSessions, long coldIdpRequests, double coldP99Ms, double signInsPerSecond, int tokensCached,
                   long rssKib, long heapKib, double readyMedianMs, List<String> missedTargets) {
        String summary() {
            StringBuilder sb = new StringBuilder("Benchmark figures (medians):\n");
            sb.append(String.format(Locale.ROOT, "  1. warm direct: service %.0f req/s, trivial Vert.x %.0f req/s, ratio %.2f, service p99 %.2f ms%n",
                    warmServiceRps, warmLimitRps, warmServiceRps / warmLimitRps, warmP99Ms));
            sb.append(String.format(Locale.ROOT, "  1b. warm direct, redis mode vs cookie mode: ratio %.2f; Redis commands per warm request "
                    + "%.4f (rate limit off), %.4f (rate limit on, the script's own commands included)%n", redisRatio, redisCommandsPerRequest, redisLimitedCommandsPerRequest));
            nginxRatios.forEach((m, r) -> sb.append(String.format(Locale.ROOT, "  2. through nginx (%s): ratio %.2f%n", m.label, r)));
            sb.append(String.format(Locale.ROOT, "  2. through nginx (default): CPU per auth request, service vs static nginx %.2fx%n", nginxCpuRatio));
            sb.append(String.format(Locale.ROOT, "  2b. through nginx (default): epoll vs NIO %.2fx%n", transportRatio));
            sb.append(String.format(Locale.ROOT, "  3. cold path: %d sessions, %d token requests counted at the IdP front, p99 %.1f ms%n",
                    coldSessions, coldIdpRequests, coldP99Ms));
            sb.append(String.format(Locale.ROOT, "  4. sign-in: %.1f sign-ins/s%n", signInsPerSecond));
            sb.append(String.format(Locale.ROOT, "  5. footprint: %,d tokens cached, RSS %.1f MiB, heap after full GC %.1f MiB; ready after %.0f ms%n",
                    tokensCached, rssKib / 1024.0, heapKib / 1024.0, readyMedianMs));
            if (missedTargets.isEmpty()) {
                sb.append("  every target met\n");
            } else {
                missedTargets.forEach(m -> sb.append("  MISSED: ").append(m).append('\n'));
            }
            return sb.toString();
        }
    }

    Results results() {
        return new Results(warmLimitRps, warmServiceRps, warmP99, Map.copyOf(nginxRatios), nginxCpuRatio, transportRatio, redisRatio,
                redisCommandsPerRequest, redisLimitedCommandsPerRequest, coldSessions, coldIdpRequests, coldP99,
                signInsPerSecond, tokensCached, rssKib, heapKib, readyMedianMs, List.copyOf(missed));
    }

    void machine(String java, Path jar) throws IOException, InterruptedException {
        machine.append("- command: `").append(o.command()).append("`\n");
        machine.append("- date: ").append(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"))).append('\n');
        machine.append("- machine: ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs (nproc), ")
                .append(cpuModel()).append(", ").append(memTotal()).append(" RAM\n");
        machine.append("- java -version: `").append(BenchRun.run(List.of(java, "-version")).strip().replace("\n", " / ")).append("`\n");
        machine.append("- service: `java ").append(String.join(" ", o.javaOpts())).append(o.javaOpts().isEmpty() ? "" : " ")
                .append("-jar ").append(o.projectDir().relativize(jar.toAbsolutePath())).append(" serve`, configured by environment variables\n");
        machine.append("- ").append(BenchRun.run(List.of(BenchRun.which("nginx"), "-v")).strip()).append(", ")
                .append(o.nginxWorkers()).append(" worker process; ")
                .append(BenchRun.run(List.of("wrk", "-v")).lines().findFirst().orElse("wrk").split(" \\[")[0].strip()).append('\n');
        machine.append(String.format(Locale.ROOT, "- load: wrk -t%d -c%d --latency, %d alternating rounds of %d s per side%s%n",
                o.wrkThreads(), o.connections(), o.rounds(), o.seconds(),
                o.warmupSeconds() > 0 ? " after " + o.warmupSeconds() + " s of warm-up per side" : ", no warm-up"));
        machine.append("- everything on loopback on this one machine: wrk, nginx, the service, the trivial endpoint and the IdP share its CPUs\n");
    }

    void warmDirect(List<Wrk.Result[]> rounds) {
        warmLimitRps = median(rounds, 0, Wrk.Result::rps);
        warmServiceRps = median(rounds, 1, Wrk.Result::rps);
        warmP99 = median(rounds, 1, Wrk.Result::p99Ms);
        double ratio = warmServiceRps / warmLimitRps;
        StringBuilder s = new StringBuilder("## 1. Warm path, direct\n\n");
        s.append("`GET /oauth2/auth` on the internal listener with a valid session cookie (from a real sign-in) and a cached token, "
                + "against a trivial Vert.x endpoint in its own JVM, started the same way, answering 200 with the same headers "
                + "(names and values). Both get the same `Cookie` header.\n\n");
        s.append(roundsTable(rounds, "trivial Vert.x", "aks-auth-proxy"));
        s.append(String.format(Locale.ROOT, "%nMedian: service %.0f req/s, trivial %.0f req/s, **ratio %.2f** (target >= %.1f); "
                + "service p50 %.3f ms, **p99 %.3f ms** (target < %.0f ms at %d connections).%n",
                warmServiceRps, warmLimitRps, ratio, WARM_RATIO_TARGET, median(rounds, 1, Wrk.Result::p50Ms), warmP99, WARM_P99_TARGET_MS,
                o.connections()));
        sections.add(s.toString());
        target("warm direct, req/s vs trivial Vert.x", fmt(ratio) + "x", ">= " + WARM_RATIO_TARGET + "x", ratio >= WARM_RATIO_TARGET);
        target("warm direct, p99 at " + o.connections() + " connections", fmt3(warmP99) + " ms", "< " + fmtInt(WARM_P99_TARGET_MS) + " ms",
                warmP99 < WARM_P99_TARGET_MS);
    }

    void redisWarm(List<Wrk.Result[]> rounds, BenchRedis.Commands commands, Wrk.Result limited, BenchRedis.Commands limitedCommands) {
        double cookie = median(rounds, 0, Wrk.Result::rps);
        double redis = median(rounds, 1, Wrk.Result::rps);
        redisRatio = redis / cookie;
        redisCommandsPerRequest = commands.perRequest();
        redisLimitedCommandsPerRequest = limitedCommands.perRequest();
        StringBuilder s = new StringBuilder("## 1b. Warm path, direct, redis session store\n\n");
        s.append("The same `GET /oauth2/auth` against a second service process with `AKS_AUTH_PROXY_SESSION_STORE=redis` on a real "
                + "redis-server (loopback), signed in there, its token cached; alternating with the cookie-mode service of benchmark 1 "
                + "(already warm; only the redis side had a warm-up). Redis commands are counted at the server (`INFO commandstats` "
                + "before the redis side's warm-up and after the last round, so warm-up requests count on both sides of the "
                + "division), without the PING the readiness check sends every 10 s.\n\n");
        s.append(roundsTable(rounds, "cookie mode", "redis mode"));
        s.append(String.format(Locale.ROOT, "%nMedian: redis mode %.0f req/s, cookie mode %.0f req/s, **ratio %.2f** (target >= %.2f).%n%n",
                redis, cookie, redisRatio, REDIS_RATIO_TARGET));
        s.append(String.format(Locale.ROOT, "Redis commands with the per-user limit off (`AKS_AUTH_PROXY_AUTH_RATE_BURST=0`, as every benchmark "
                + "runs): %s for %,d requests (the service's own count of its 200s), **%.4f per request** (target 0). The verdict "
                + "counts every command but the PINGs, including the GET with which a replica reads a session's record again "
                + "once its copy in memory is 30 s old, whatever the load (so revocations and other replicas' last-seen stamps reach "
                + "it).%n%n",
                commands.listed(), commands.requests(), redisCommandsPerRequest));
        s.append(String.format(Locale.ROOT, "With the limit on (a third process, burst and rate 1,000,000 so it never refuses; one round, "
                + "no warm-up): %s for %,d requests: **%.2f script calls (one round trip each) per request**, %.2f commands per request "
                + "counting the script's own; the limit is one atomic script per request (README, \"Redis session store\"). "
                + "%.0f req/s, p99 %.3f ms.%n", limitedCommands.listed(), limitedCommands.requests(), limitedCommands.scriptCallsPerRequest(),
                redisLimitedCommandsPerRequest, limited.rps(), limited.p99Ms()));
        sections.add(s.toString());
        target("warm direct, redis mode vs cookie mode", fmt(redisRatio) + "x", ">= " + REDIS_RATIO_TARGET + "x", redisRatio >= REDIS_RATIO_TARGET);
        target("Redis commands per warm request (rate limit off)", String.format(Locale.ROOT, "%.4f", redisCommandsPerRequest), "0",
                commands.ofRequests() == 0);
        targets.add(new String[] {"Redis commands per warm request (rate limit on)", String.format(Locale.ROOT,
                "%.2f EVALSHA (%.2f with the script's own commands)", limitedCommands.scriptCallsPerRequest(), redisLimitedCommandsPerRequest),
                "reported, no target (one EVALSHA expected)", "-"});
    }

    void nginx(NginxRig.Mode mode, List<Wrk.Result[]> rounds) {
        double limit = median(rounds, 0, Wrk.Result::rps);
        double service = median(rounds, 1, Wrk.Result::rps);
        double ratio = service / limit;
        nginxRatios.put(mode, ratio);
        double ratioTarget = NGINX_RATIO_TARGETS.get(mode);
        StringBuilder s = new StringBuilder("## 2. Through NGINX, " + mode.label + "\n\n");
        if (mode == NginxRig.Mode.DEFAULT) {
            s.append("wrk -> nginx rendered like ingress-nginx (bench/nginx/: `auth_request`, `auth_request_set` and `proxy_set_header` "
                    + "for the auth response headers) -> a static app location. The auth subrequest goes to the service, or to a "
                    + "static nginx location answering 200 with the same headers (NGINX's own limit), served by an nginx process of "
                    + "its own. CPU per request: user + system time from /proc of the auth endpoint's process(es) over the round "
                    + "(the service's JVM; the static auth nginx's master and worker), divided by the round's requests.\n\n");
        }
        s.append("Auth endpoint connection: ").append(mode.meaning).append(".\n\n");
        s.append(roundsTable(rounds, "static auth", "aks-auth-proxy"));
        double limitCpu = median(rounds, 0, Wrk.Result::cpuUsPerRequest);
        double serviceCpu = median(rounds, 1, Wrk.Result::cpuUsPerRequest);
        s.append(String.format(Locale.ROOT, "%nMedian: service %.0f req/s, static auth %.0f req/s, **ratio %.2f** (target >= %.1f); "
                        + "service p50 %.3f ms, p99 %.3f ms; CPU per auth request: service %.1f us, static auth nginx %.1f us.%n", service, limit,
                ratio, ratioTarget, median(rounds, 1, Wrk.Result::p50Ms), median(rounds, 1, Wrk.Result::p99Ms), serviceCpu, limitCpu));
        sections.add(s.toString());
        target("through nginx (" + mode.label + "), req/s vs static auth", fmt(ratio) + "x", ">= " + ratioTarget + "x", ratio >= ratioTarget);
        if (mode == NginxRig.Mode.DEFAULT) {
            nginxCpuRatio = serviceCpu / limitCpu;
            target("through nginx (default), CPU time per auth request, service vs the static-auth nginx",
                    String.format(Locale.ROOT, "%.1f us vs %.1f us: %.2fx", serviceCpu, limitCpu, nginxCpuRatio),
                    "<= " + NGINX_CPU_RATIO_TARGET + "x the static nginx's", nginxCpuRatio <= NGINX_CPU_RATIO_TARGET);
        }
    }

    void transports(List<Wrk.Result[]> rounds) {
        double nio = median(rounds, 0, Wrk.Result::rps);
        double epoll = median(rounds, 1, Wrk.Result::rps);
        transportRatio = epoll / nio;
        StringBuilder s = new StringBuilder("## 2b. Transport: Netty's epoll against NIO, through NGINX without keepalive\n\n");
        s.append("The service of benchmark 2 (epoll, `netty-transport-native-epoll` loaded, as /proc/<pid>/maps shows) and a second "
                + "service process forced onto NIO (`-Dio.netty.transport.noNative=true`), each behind an nginx of its own rendered like "
                + "benchmark 2's without keepalive (a new connection per auth request), in alternating rounds; only the NIO side had a "
                + "warm-up. The same session cookie works on both (same cookie key).\n\n");
        s.append(roundsTable(rounds, "NIO", "epoll"));
        s.append(String.format(Locale.ROOT, "%nMedian: epoll %.0f req/s, NIO %.0f req/s, **ratio %.2f**; CPU per auth request: epoll %.1f us, "
                + "NIO %.1f us. No target: the transport is kept only when a full run shows it helps.%n", epoll, nio, transportRatio,
                median(rounds, 1, Wrk.Result::cpuUsPerRequest), median(rounds, 0, Wrk.Result::cpuUsPerRequest)));
        sections.add(s.toString());
        targets.add(new String[] {"through nginx (default), epoll vs NIO transport", fmt(transportRatio) + "x", "reported, no target", "-"});
    }

    void cold(int sessions, BenchRun.Burst first, long idpRequests, BenchRun.Burst again, long idpAfterAgain) {
        coldSessions = sessions;
        coldIdpRequests = idpRequests;
        coldP99 = first.p99Ms();
        StringBuilder s = new StringBuilder("## 3. Cold path\n\n");
        s.append(String.format(Locale.ROOT, "%,d distinct sessions whose tokens are not cached send `GET /oauth2/auth` at once (one "
                + "connection each). The sessions are minted by the rig with the service's own classes and key "
                + "(bench/README.md); each token is minted by a real refresh-token request through MSAL4J. **Token requests "
                + "are counted at the IdP front** (the rig's HTTPS front of the stand-in IdP).%n%n", sessions));
        s.append("| pass | 200 | other | p50 ms | p99 ms | max ms | wall ms | token requests at the IdP front (cumulative) |\n|---|---|---|---|---|---|---|---|\n");
        s.append(burstRow("first (cold)", first, idpRequests)).append(burstRow("again (cached)", again, idpAfterAgain));
        sections.add(s.toString());
        target("cold path, IdP token requests for " + String.format(Locale.ROOT, "%,d", sessions) + " sessions",
                String.valueOf(idpRequests), "exactly " + sessions, idpRequests == sessions && first.ok() == sessions);
        targets.add(new String[] {"cold path, p99", fmt(first.p99Ms()) + " ms", "reported, no target", "-"});
    }

    void signIns(int concurrency, List<BenchRun.SignInRound> rounds) {
        double[] perSecond = rounds.stream().mapToDouble(BenchRun.SignInRound::perSecond).toArray();
        signInsPerSecond = median(perSecond);
        StringBuilder s = new StringBuilder("## 4. Sign-in throughput\n\n");
        s.append(concurrency).append(" concurrent browsers, each repeating the whole sign-in: `/oauth2/start` -> the IdP's authorize "
                + "endpoint (via the front) -> `/oauth2/callback` (code redemption with MSAL4J, ID token validation, session cookie). "
                + "The stand-in IdP runs in the rig's JVM on the same machine, so its cost is in these figures.\n\n");
        s.append("| round | sign-ins | sign-ins/s | p50 ms | p99 ms |\n|---|---|---|---|---|\n");
        for (int i = 0; i < rounds.size(); i++) {
            BenchRun.SignInRound r = rounds.get(i);
            s.append(String.format(Locale.ROOT, "| %d | %d | %.1f | %.1f | %.1f |%n", i + 1, r.completed(), r.perSecond(), r.p50Ms(), r.p99Ms()));
        }
        s.append(String.format(Locale.ROOT, "%nMedian: **%.1f sign-ins/s**.%n", signInsPerSecond));
        sections.add(s.toString());
    }

    void footprint(int tokens, long idpRequests, double mintPerSecond, long idleRssKib, long loadedRssKib, long heapUsedKib, long rssAfterGcKib) {
        tokensCached = tokens;
        rssKib = loadedRssKib;
        heapKib = heapUsedKib;
        StringBuilder s = new StringBuilder("## 5. Footprint\n\n");
        s.append(String.format(Locale.ROOT, "A fresh service process; %,d minted sessions each call `/oauth2/auth` once (64 at a time), so "
                + "%,d tokens are cached (%,d token requests counted at the IdP front, %.0f tokens minted per second). "
                + "RSS from /proc; heap from `jcmd GC.heap_info` after `jcmd GC.run`.%n%n", tokens, tokens, idpRequests, mintPerSecond));
        s.append("| state | RSS MiB | heap used MiB |\n|---|---|---|\n");
        s.append(String.format(Locale.ROOT, "| ready, idle | %.1f | |%n", idleRssKib / 1024.0));
        s.append(String.format(Locale.ROOT, "| %,d tokens cached | %.1f | |%n", tokens, loadedRssKib / 1024.0));
        s.append(String.format(Locale.ROOT, "| %,d tokens cached, after a full GC | %.1f | %.1f |%n", tokens, rssAfterGcKib / 1024.0, heapUsedKib / 1024.0));
        sections.add(s.toString());
        target(String.format(Locale.ROOT, "RSS with %,d tokens cached", tokens), fmt(loadedRssKib / 1024.0) + " MiB",
                "<= " + RSS_TARGET_MIB + " MiB with 100,000", loadedRssKib / 1024.0 <= RSS_TARGET_MIB);
    }

    void readiness(List<Double> readyMs) {
        readyMedianMs = median(readyMs.stream().mapToDouble(Double::doubleValue).toArray());
        StringBuilder s = new StringBuilder("## 5b. Time from process start to ready\n\n");
        s.append("From starting `java -jar` to the first 200 from `/readyz` (discovery and keys fetched, token file readable), "
                + "polled every 10 ms; one figure per service process of this run.\n\n| start | ms |\n|---|---|\n");
        for (int i = 0; i < readyMs.size(); i++) {
            s.append(String.format(Locale.ROOT, "| %d | %.0f |%n", i + 1, readyMs.get(i)));
        }
        s.append(String.format(Locale.ROOT, "%nMedian: **%.0f ms**.%n", readyMedianMs));
        sections.add(s.toString());
        target("time from start to /readyz 200", fmtInt(readyMedianMs) + " ms", "<= " + fmtInt(READY_TARGET_MS) + " ms",
                readyMedianMs <= READY_TARGET_MS);
    }

    void elapsed(Duration d) {
        elapsed = String.format(Locale.ROOT, "- the run took %d min %d s%n", d.toMinutes(), d.toSecondsPart());
    }

    String markdown() {
        StringBuilder md = new StringBuilder("# Benchmarks\n\n");
        md.append("Written by `bench/run.sh` (bench/README.md says what each benchmark does); edit nothing here by hand, run it again.");
        if (o.smoke()) {
            md.append(" **This is a smoke run**: each benchmark ran for about a second with small session counts, to prove the "
                    + "harness works. Its figures say nothing about speed.");
        }
        md.append("\n\n").append(machine).append(elapsed).append("\n## Targets\n\n| what | measured (median) | target | verdict |\n|---|---|---|---|\n");
        for (String[] t : targets) {
            md.append("| ").append(String.join(" | ", t)).append(" |\n");
        }
        md.append('\n');
        if (missed.isEmpty()) {
            md.append("Every target was met in this run.\n\n");
        } else {
            for (String m : missed) {
                md.append("**Target missed:** ").append(m).append(". Not yet explained by a profile: record one with JFR "
                        + "(`--java-opts \"-XX:StartFlightRecording=filename=target/bench-{process}.jfr\"`) and fix it, or write down what bounds it.\n\n");
            }
        }
        sections.forEach(s -> md.append(s).append('\n'));
        return md.toString();
    }

    private void target(String what, String measured, String target, boolean met) {
        targets.add(new String[] {what, measured, target, met ? "met" : "**missed**"});
        if (!met) {
            missed.add(what + ": " + measured + " against " + target);
        }
    }

    private String roundsTable(List<Wrk.Result[]> rounds, String limitName, String serviceName) {
        StringBuilder s = new StringBuilder("| round | side | req/s | p50 ms | p99 ms | requests | CPU us per request | socket errors |\n"
                + "|---|---|---|---|---|---|---|---|\n");
        for (int i = 0; i < rounds.size(); i++) {
            for (int side = 0; side < 2; side++) {
                Wrk.Result r = rounds.get(i)[side];
                s.append(String.format(Locale.ROOT, "| %d | %s | %.0f | %.3f | %.3f | %d | %.1f | %s |%n", i + 1, side == 0 ? limitName : serviceName,
                        r.rps(), r.p50Ms(), r.p99Ms(), r.requests(), r.cpuUsPerRequest(), r.socketErrors()));
            }
        }
        return s.toString();
    }

    private static String burstRow(String pass, BenchRun.Burst b, long idp) {
        return String.format(Locale.ROOT, "| %s | %d | %d | %.1f | %.1f | %.1f | %.0f | %d |%n", pass, b.ok(), b.other(), b.p50Ms(), b.p99Ms(),
                b.maxMs(), b.wallMs(), idp);
    }

    private static double median(List<Wrk.Result[]> rounds, int side, java.util.function.ToDoubleFunction<Wrk.Result> f) {
        return median(rounds.stream().mapToDouble(r -> f.applyAsDouble(r[side])).toArray());
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    /** Nearest-rank percentile of sorted values. */
    static double percentile(double[] sorted, double q) {
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String fmt3(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static String fmtInt(double v) {
        return String.format(Locale.ROOT, "%.0f", v);
    }

    private static String cpuModel() throws IOException {
        return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("unknown CPU");
    }

    private static String memTotal() throws IOException {
        return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                .map(l -> String.format(Locale.ROOT, "%.1f GiB", Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0))
                .findFirst().orElse("unknown");
    }
}
