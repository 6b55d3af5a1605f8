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
    static final long OVERHEAD_TARGET_BYTES = 300;
    static final double READY_TARGET_MS = StartupBench.READY_TARGET_MS;
    static final double COLD_P99_TARGET_MS = 2000;
    static final double SIGN_IN_TARGET_PER_SECOND = 100;

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
    private double redisCommandsPerRequest = Double.NaN;
    private double redisLimitedCommandsPerRequest = Double.NaN;
    private int coldSessions;
    private long coldIdpRequests;
    private double coldP99;
    private double signInsPerSecond;
    private double signInsPerSecondRedis;
    private int restartSessions;
    private long restartMintRequests;
    private long restartIdpRequests;
    private int restartOk;
    private int tokensCached;
    private long rssKib;
    private long heapKib;
    private double readyMedianMs;
    private List<StartupBench.Figures> runtimeFigures = List.of();

    Report(BenchOptions o) {
        this.o = o;
    }

    /** The key figures, for the smoke test and the console. */
    record Results(double warmLimitRps, double warmServiceRps, double warmP99Ms, Map<NginxRig.Mode, Double> nginxRatios,
                   double nginxCpuRatio, double redisRatio, double redisCommandsPerRequest, double redisLimitedCommandsPerRequest,
                   int coldSessions, long coldIdpRequests, double coldP99Ms, double signInsPerSecond, int tokensCached,
                   long rssKib, long heapKib, double readyMedianMs, List<String> missedTargets, double signInsPerSecondRedis,
                   int restartSessions, long restartMintRequests, long restartIdpRequests, int restartOk, List<StartupBench.Figures> runtimes) {
        String summary() {
            StringBuilder sb = new StringBuilder("Benchmark figures (medians):\n");
            sb.append(String.format(Locale.ROOT, "  1. warm direct: service %.0f req/s, trivial Vert.x %.0f req/s, ratio %.2f, service p99 %.2f ms%n",
                    warmServiceRps, warmLimitRps, warmServiceRps / warmLimitRps, warmP99Ms));
            sb.append(String.format(Locale.ROOT, "  1b. warm direct, redis mode vs cookie mode: ratio %.2f; Redis commands per warm request "
                    + "%.4f (rate limit off), %.4f (rate limit on, the script's own commands included)%n", redisRatio, redisCommandsPerRequest, redisLimitedCommandsPerRequest));
            nginxRatios.forEach((m, r) -> sb.append(String.format(Locale.ROOT, "  2. through nginx (%s): ratio %.2f%n", m.label, r)));
            sb.append(String.format(Locale.ROOT, "  2. through nginx (default): CPU per auth request, service vs static nginx %.2fx%n", nginxCpuRatio));
            sb.append(String.format(Locale.ROOT, "  3. cold path: %d sessions, %d token requests counted at the IdP front, p99 %.1f ms%n",
                    coldSessions, coldIdpRequests, coldP99Ms));
            sb.append(String.format(Locale.ROOT, "  3b. redis mode, restart of every replica: %d sessions, %d token requests to mint, "
                    + "%d after the restart (%d answered 200)%n", restartSessions, restartMintRequests, restartIdpRequests, restartOk));
            sb.append(String.format(Locale.ROOT, "  4. sign-in: %.1f sign-ins/s in cookie mode, %.1f in redis mode%n", signInsPerSecond,
                    signInsPerSecondRedis));
            sb.append(String.format(Locale.ROOT, "  5. footprint: %,d tokens cached, peak RSS %.1f MiB, heap after full GC %.1f MiB; ready after %.0f ms%n",
                    tokensCached, rssKib / 1024.0, heapKib / 1024.0, readyMedianMs));
            runtimes.forEach(f -> sb.append(String.format(Locale.ROOT, "  6. %s: ready after %.0f ms, idle RSS %.1f MiB, first/warm %.2f%n",
                    f.runtime().name(), f.readyMedianMs(), f.idleRssKib() / 1024.0, f.coldRatio())));
            if (missedTargets.isEmpty()) {
                sb.append("  every target met\n");
            } else {
                missedTargets.forEach(m -> sb.append("  MISSED: ").append(m).append('\n'));
            }
            return sb.toString();
        }
    }

    Results results() {
        return new Results(warmLimitRps, warmServiceRps, warmP99, Map.copyOf(nginxRatios), nginxCpuRatio, redisRatio,
                redisCommandsPerRequest, redisLimitedCommandsPerRequest, coldSessions, coldIdpRequests, coldP99,
                signInsPerSecond, tokensCached, rssKib, heapKib, readyMedianMs, List.copyOf(missed), signInsPerSecondRedis, restartSessions,
                restartMintRequests, restartIdpRequests, restartOk, runtimeFigures);
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

    /** @param serviceCpuMs CPU time of the service during the first burst; {@code rigCpuMs} of the rig's JVM (stand-in, front, clients) */
    void cold(int sessions, Duration idpLatency, BenchRun.Burst first, long idpRequests, int peakAtFront, long connections,
              long serviceCpuMs, long rigCpuMs, BenchRun.Burst again, long idpAfterAgain) {
        coldSessions = sessions;
        coldIdpRequests = idpRequests;
        coldP99 = first.p99Ms();
        StringBuilder s = new StringBuilder("## 3. Cold path\n\n");
        s.append(String.format(Locale.ROOT, "%,d distinct sessions whose tokens are not cached send `GET /oauth2/auth` at once (one "
                + "connection each). The sessions are minted by the rig with the service's own classes and key "
                + "(bench/README.md); each token is minted by a real refresh-token request through MSAL4J. The IdP front answers "
                + "each token request %d ms after the stand-in does (Entra's usual latency). **Token requests "
                + "are counted at the IdP front** (the rig's HTTPS front of the stand-in IdP); at most %d were open there at once "
                + "(the service's default `AKS_AUTH_PROXY_TOKEN_REQUESTS_IN_FLIGHT` bounds it), over %d new TLS connections.%n%n",
                sessions, idpLatency.toMillis(), peakAtFront, connections));
        s.append(burstTable("cumulative", "first (cold)", first, idpRequests, "again (cached)", again, idpAfterAgain));
        s.append(String.format(Locale.ROOT, "%nCPU time during the first pass: the service %,d ms (%.1f ms per token), the rig's JVM "
                + "(the stand-in IdP signing two tokens per request, its front, the client) %,d ms (%.1f ms per token), against "
                + "%,d ms of wall time on %d CPUs. When the two together approach wall time x CPUs, the machine, not the wait "
                + "for the IdP, bounds the burst.%n", serviceCpuMs, serviceCpuMs / (double) sessions, rigCpuMs, rigCpuMs / (double) sessions,
                Math.round(first.wallMs()), Runtime.getRuntime().availableProcessors()));
        sections.add(s.toString());
        String n = String.format(Locale.ROOT, "%,d", sessions);
        target("cold path, IdP token requests for " + n + " sessions",
                String.valueOf(idpRequests), "exactly " + sessions, idpRequests == sessions && first.ok() == sessions);
        target("cold path, p99 of " + n + " fresh sessions at once, IdP " + idpLatency.toMillis() + " ms per token request",
                fmt(first.p99Ms()) + " ms", "<= " + fmtInt(COLD_P99_TARGET_MS) + " ms with 1,000",
                first.p99Ms() <= COLD_P99_TARGET_MS && first.ok() == sessions);
    }

    void coldAfterRestart(int sessions, int replicas, BenchRun.Burst mint, long minted, BenchRun.Burst after, long afterRestart) {
        restartSessions = sessions;
        restartMintRequests = minted;
        restartIdpRequests = afterRestart;
        restartOk = after.ok();
        StringBuilder s = new StringBuilder("## 3b. Cold path after restarting every replica (redis mode)\n\n");
        s.append(String.format(Locale.ROOT, "%d replicas with `AKS_AUTH_PROXY_SESSION_STORE=redis` on one redis-server (Debian's, "
                + "on loopback). %,d sessions signed in for real (the cookie is a ticket, the session is in Redis) call "
                + "`GET /oauth2/auth` at once, spread over the replicas in turn, so each token is minted once and stored in "
                + "Redis. Then every replica stops and starts again on its ports (a rolling restart's end state: no replica "
                + "holds anything in memory) and the same sessions call again at once. Token requests counted at the IdP front.%n%n",
                replicas, sessions));
        s.append(burstTable("this pass", "fresh sessions (tokens minted)", mint, minted, "after restarting every replica", after, afterRestart));
        sections.add(s.toString());
        target(String.format(Locale.ROOT, "redis mode, IdP token requests for %,d sessions after restarting every replica", sessions),
                String.valueOf(afterRestart), "0", afterRestart == 0 && after.ok() == sessions && minted == sessions);
        targets.add(new String[] {"redis mode, p99 after restarting every replica", fmt(after.p99Ms()) + " ms", "reported, no target", "-"});
    }

    /** @param rounds [0] cookie mode, [1] redis mode */
    void signIns(int concurrency, Duration idpLatency, List<BenchRun.SignInRound[]> rounds) {
        signInsPerSecond = median(rounds.stream().mapToDouble(r -> r[0].perSecond()).toArray());
        signInsPerSecondRedis = median(rounds.stream().mapToDouble(r -> r[1].perSecond()).toArray());
        StringBuilder s = new StringBuilder("## 4. Sign-in throughput\n\n");
        s.append(String.format(Locale.ROOT, "%d concurrent browsers, each repeating the whole sign-in: `/oauth2/start` -> the IdP's "
                + "authorize endpoint (via the front) -> `/oauth2/callback` (code redemption with MSAL4J, ID token validation, "
                + "session cookie; in redis mode the session written to Redis). The IdP front answers each code redemption %d ms "
                + "after the stand-in does (Entra's usual latency), so one browser signs in at most %.1f times a second and %d "
                + "browsers at most %.0f: enough that the service, not the number of browsers, bounds the figure (100 sign-ins/s "
                + "need at least %.0f sign-ins in flight). Rounds alternate the cookie-mode service and a redis-mode replica, "
                + "both running. The stand-in IdP runs in the rig's JVM on the same machine, so its cost is in these figures.%n%n",
                concurrency, idpLatency.toMillis(), 1000.0 / Math.max(1, idpLatency.toMillis()), concurrency,
                concurrency * 1000.0 / Math.max(1, idpLatency.toMillis()), SIGN_IN_TARGET_PER_SECOND * idpLatency.toMillis() / 1000.0));
        s.append("| round | store | sign-ins | sign-ins/s | p50 ms | p99 ms |\n|---|---|---|---|---|---|\n");
        for (int i = 0; i < rounds.size(); i++) {
            for (int side = 0; side < 2; side++) {
                BenchRun.SignInRound r = rounds.get(i)[side];
                s.append(String.format(Locale.ROOT, "| %d | %s | %d | %.1f | %.1f | %.1f |%n", i + 1, side == 0 ? "cookie" : "redis",
                        r.completed(), r.perSecond(), r.p50Ms(), r.p99Ms()));
            }
        }
        s.append(String.format(Locale.ROOT, "%nMedian: **%.1f sign-ins/s** in cookie mode, **%.1f sign-ins/s** in redis mode.%n",
                signInsPerSecond, signInsPerSecondRedis));
        sections.add(s.toString());
        String what = String.format(Locale.ROOT, "sign-ins per second, IdP %d ms per token request, %d browsers", idpLatency.toMillis(),
                concurrency);
        target(what, fmt1(signInsPerSecond) + "/s", ">= " + fmtInt(SIGN_IN_TARGET_PER_SECOND) + "/s",
                signInsPerSecond >= SIGN_IN_TARGET_PER_SECOND);
        targets.add(new String[] {what + ", redis mode", fmt1(signInsPerSecondRedis) + "/s",
                "reported beside cookie mode (" + fmt(signInsPerSecondRedis / signInsPerSecond) + "x of it)", "-"});
    }

    void footprint(BenchRun.Footprint f) {
        tokensCached = (int) f.cachedEntries();
        rssKib = f.peakRssKib();
        heapKib = f.loadedHeapKib();
        double maxBytes = f.loaded().get("aks_auth_proxy_token_cache_max_bytes");
        double bytes = f.loaded().get("aks_auth_proxy_token_cache_bytes");
        double evictions = f.loaded().get("aks_auth_proxy_token_cache_evictions_total");
        StringBuilder s = new StringBuilder("## 5. Footprint\n\n");
        s.append(String.format(Locale.ROOT, "A fresh service process under the chart's JVM options and memory limit: `%s` (the image's "
                + "ENTRYPOINT flags; `-XX:MaxRAM=%dm` stands for the chart's %dMi container limit, so the heap is the same share of it as in a pod). "
                + "The stand-in issues Entra-sized access tokens (a realistic set of Entra's claims; %.0f characters on average here) "
                + "and the token cache has its default bound (`AKS_AUTH_PROXY_TOKEN_CACHE_MAX_BYTES` unset: a quarter of the heap). "
                + "%,d minted sessions each call `/oauth2/auth` once, %d at a time: %,d token requests counted at the IdP front, "
                + "%.0f tokens minted per second. Every answer was a 200 with the token. RSS from /proc (the peak sampled every "
                + "200 ms while loading); heap from `jcmd GC.heap_info` after `jcmd GC.run`. This section took %.0f s.%n%n",
                String.join(" ", BenchRun.CHART_JVM), BenchRun.CHART_LIMIT_MIB, BenchRun.CHART_LIMIT_MIB, f.avgTokenChars(), f.sessions(),
                o.footprintConcurrency(), f.idpRequests(), f.mintPerSecond(), f.seconds()));
        s.append("| state | RSS MiB | heap used after full GC MiB |\n|---|---|---|\n");
        s.append(String.format(Locale.ROOT, "| ready, idle | %.1f | %.1f |%n", f.idleRssKib() / 1024.0, f.idleHeapKib() / 1024.0));
        s.append(String.format(Locale.ROOT, "| while loading %,d sessions (peak) | %.1f | |%n", f.sessions(), f.peakRssKib() / 1024.0));
        s.append(String.format(Locale.ROOT, "| %,d sessions loaded | %.1f | %.1f |%n", f.sessions(), f.loadedRssKib() / 1024.0,
                f.loadedHeapKib() / 1024.0));
        s.append(String.format(Locale.ROOT, "| after signing out the %,d sessions with a cached token | | %.1f |%n", f.signedOut(),
                f.heapAfterSignOutKib() / 1024.0));
        s.append(String.format(Locale.ROOT, "%n| token cache (its own /metrics) | value |%n|---|---|%n"
                        + "| bound, `aks_auth_proxy_token_cache_max_bytes` | %.1f MiB |%n| bytes cached, `aks_auth_proxy_token_cache_bytes` | %.1f MiB |%n"
                        + "| entries, `aks_auth_proxy_token_cache_entries` | %,.0f |%n| evictions, `aks_auth_proxy_token_cache_evictions_total` | %,.0f |%n",
                maxBytes / 1048576, bytes / 1048576, f.cachedEntries(), evictions));
        boolean idsShared = f.signedOut() >= f.cachedEntries();
        s.append(String.format(Locale.ROOT, "%n**Overhead per cached token beyond its own text: %.0f bytes.** Method: %,d sessions whose "
                + "tokens were cached (the oldest of the last %,.0f loaded, since the least recently used went first) then sign out, "
                + "which drops their tokens and nothing else a cookie session keeps; the heap after a full GC fell by %.1f MiB for %,.0f "
                + "tokens dropped (entries before minus after), %.0f bytes each, of which %.0f are the token's characters (a byte "
                + "each in a compact string). The rest is the entry: its session id, key, token record, expiry and the map's entry "
                + "(the map's bucket table does not shrink, so its 4-11 bytes an entry are not in the figure). %s%n",
                f.overheadBytes(), f.signedOut(), f.cachedEntries(), (f.loadedHeapKib() - f.heapAfterSignOutKib()) / 1024.0, f.dropped(),
                f.overheadBytes() + f.avgTokenChars(), f.avgTokenChars(), idsShared
                        ? "Too few sessions for the method: every signed-out session was still in the decoded-session cache, whose "
                        + "session objects share the session id with the token's key, so the ids (about 88 bytes each) were not freed "
                        + "and the figure is low by about that much."
                        : String.format(Locale.ROOT, "The %,d most recent sessions were left out: the decoded-session cache still holds "
                        + "them, and with them their session ids.", BenchRun.DECODED_SESSIONS)));
        if (!f.alive() || f.outOfMemory()) {
            s.append("\n**The service did not survive:** ").append(f.alive() ? "" : "the process had exited; ")
                    .append(f.outOfMemory() ? "its log shows an OutOfMemoryError" : "").append(".\n");
        }
        sections.add(s.toString());
        target("token cache bytes, bounded by its setting (default)", fmt(bytes / 1048576) + " MiB", "<= " + fmt(maxBytes / 1048576) + " MiB",
                bytes <= maxBytes);
        target(String.format(Locale.ROOT, "RSS with %,d sessions, chart's JVM options and limit", f.sessions()),
                fmt(f.peakRssKib() / 1024.0) + " MiB peak" + (f.outOfMemory() ? ", OutOfMemoryError" : ""),
                "< " + BenchRun.CHART_LIMIT_MIB + " MiB, no OutOfMemoryError",
                f.peakRssKib() / 1024.0 < BenchRun.CHART_LIMIT_MIB && f.alive() && !f.outOfMemory());
        target("overhead per cached token beyond its text", fmtInt(f.overheadBytes()) + " B", "<= " + OVERHEAD_TARGET_BYTES + " B",
                f.overheadBytes() <= OVERHEAD_TARGET_BYTES);
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

    void runtimes(List<StartupBench.Figures> all, int coldSeconds, int settleSeconds, int warmSeconds, double sectionSeconds) {
        runtimeFigures = List.copyOf(all);
        StringBuilder s = new StringBuilder("## 6. Runtimes: start-up, warm-up, footprint\n\n");
        s.append(String.format(Locale.ROOT, "The same jar on each runtime the image could ship. A trained runtime first runs a training "
                + "run (real sign-ins through the IdP front, then `/oauth2/auth` with their sessions, the probes and `/metrics`; "
                + "its archive is written as it exits); the training time includes writing the archive. Then three starts: "
                + "time from starting `java` to the first 200 from `/readyz`; RSS of the second, 1 s after ready, idle; on the "
                + "third, at once after ready, wrk on `/oauth2/auth` with a session this process has not seen (its first request "
                + "mints the token at the IdP front) for %d s (JIT cold), %d s more unmeasured, then %d s (warm). "
                + "This section took %.0f s.%n%n", coldSeconds, settleSeconds, warmSeconds, sectionSeconds));
        s.append("| runtime | JVM options | training s | archive MiB | ready ms (3 starts) | ready median ms | RSS idle MiB "
                + "| first " + coldSeconds + " s req/s | warm req/s | first/warm |\n|---|---|---|---|---|---|---|---|---|---|\n");
        for (StartupBench.Figures f : all) {
            s.append(String.format(Locale.ROOT, "| %s%s | `%s` | %s | %s | %s | %.0f | %.1f | %.0f | %.0f | %.2f |%n",
                    f.runtime().name(), f.runtime().name().equals(StartupBench.IMAGE_RUNTIME) ? " (the image's)" : "",
                    f.runtime().runOptions().isEmpty() ? "(none)" : String.join(" ", f.runtime().runOptions()).replaceAll("=\\S*/", "=…/"),
                    f.runtime().trained() ? fmtInt(f.trainSeconds()) : "-", f.runtime().trained() ? fmt(f.archiveBytes() / 1048576.0) : "-",
                    String.join(", ", f.readyMs().stream().map(Report::fmtInt).toList()), f.readyMedianMs(), f.idleRssKib() / 1024.0,
                    f.cold().rps(), f.warm().rps(), f.coldRatio()));
        }
        s.append('\n');
        all.forEach(f -> s.append("- ").append(f.runtime().name()).append(": ").append(f.version()).append('\n'));
        sections.add(s.toString());
        for (StartupBench.Figures f : all) {
            if (f.runtime().name().equals(StartupBench.IMAGE_RUNTIME)) {
                target("time from start to /readyz 200, the image's runtime (" + f.runtime().name() + ")", fmtInt(f.readyMedianMs()) + " ms",
                        "<= " + fmtInt(StartupBench.READY_TARGET_MS) + " ms", f.readyMedianMs() <= StartupBench.READY_TARGET_MS);
            }
            target("first " + coldSeconds + " s after ready vs warm, " + f.runtime().name(), fmt(f.coldRatio()) + "x",
                    ">= " + StartupBench.COLD_RATIO_TARGET + "x", f.coldRatio() >= StartupBench.COLD_RATIO_TARGET);
        }
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

    /** Two bursts of the same sessions, one row each; {@code counted} says which token requests the last column counts. */
    private static String burstTable(String counted, String pass1, BenchRun.Burst b1, long idp1, String pass2, BenchRun.Burst b2, long idp2) {
        return "| pass | 200 | other | p50 ms | p99 ms | max ms | wall ms | token requests at the IdP front (" + counted + ") |\n"
                + "|---|---|---|---|---|---|---|---|\n" + burstRow(pass1, b1, idp1) + burstRow(pass2, b2, idp2);
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

    private static String fmt1(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
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
