package io.github.aksauthproxy.bench;

import io.github.aksauthproxy.it.EntraStandIn;
import io.github.aksauthproxy.it.MutableClock;
import io.github.aksauthproxy.it.SecretsSeen;
import io.github.aksauthproxy.it.ServiceUnderTest;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipFile;

/**
 * The benchmark rig (bench/README.md): runs the real jar ({@code java -jar target/aks-auth-proxy.jar serve}) against
 * the stand-in IdP behind {@link EntraFront}, drives it with wrk, nginx and its own HTTP clients on loopback, and
 * writes the figures to a Markdown report. {@code bench/run.sh} builds what it needs and calls this.
 *
 * <p>{@code --smoke} runs every benchmark for about a second with small session counts and asserts only that each
 * ran and produced figures.
 */
public final class BenchRun {
    private static final String JAR_IDP_PACKAGE = "no/nav/security/";

    private final BenchOptions o;
    private final Path work;
    private final Report report;
    private final String javaBin;
    private final String cookieKey;
    private Vertx vertx;
    private EntraStandIn idp;
    private EntraFront front;
    private Path tokenFile;
    private Path caFile;
    private final List<Double> readyMs = new ArrayList<>();

    BenchRun(BenchOptions o) throws IOException {
        this.o = o;
        this.work = o.workDir();
        deleteTree(work);
        Files.createDirectories(work);
        this.report = new Report(o);
        this.javaBin = ProcessHandle.current().info().command().orElse("java");
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        this.cookieKey = Base64.getEncoder().encodeToString(key);
        SecretsSeen.add(cookieKey);
    }

    public static void main(String[] args) throws Exception {
        BenchOptions o = BenchOptions.parse(args);
        Report.Results results = run(o);
        System.out.println(results.summary());
        System.exit(0);
    }

    /** Runs every benchmark and writes the report; fails with a message naming what did not run. */
    static Report.Results run(BenchOptions o) throws Exception {
        BenchRun rig = new BenchRun(o);
        try {
            return rig.runAll();
        } finally {
            rig.stopIdp();
        }
    }

    private Report.Results runAll() throws Exception {
        long t0 = System.nanoTime();
        checkTools();
        report.machine(javaBin, o.jar());
        startIdp();

        Map<String, String> signedIn;
        try (Service svc = startService("service-1")) {
            SignIns signIns = new SignIns(idp.trust(), svc.publicUrl());
            signedIn = signIns.signIn();
            // The stand-in records every token it issues; the cookies minted below are made like these and not recorded.
            signedIn.values().forEach(SecretsSeen::add);
            String cookie = "Cookie: " + SignIns.cookieHeader(signedIn);
            Map<String, String> authHeaders = authResponseHeaders(svc, SignIns.cookieHeader(signedIn));
            if (o.runs("warm")) {
                warmDirect(svc, cookie, authHeaders);
                redisWarm(svc, cookie);
            }
            if (o.runs("nginx")) {
                throughNginx(svc, cookie, authHeaders);
            }
            // Entra's latency from here on: the cold path and the sign-ins wait on it (bench/README.md).
            front.latency(Duration.ofMillis(o.idpLatencyMs()));
            if (o.runs("cold")) {
                coldPath(svc, new SignIns.Minter(cookieKey, Duration.ofHours(1), signedIn));
            }
            if (o.runs("sign-in") || o.runs("redis")) {
                inRedisMode(signIns);
            }
            front.latency(Duration.ZERO);
        }
        if (!o.runs("footprint")) {
            report.readiness(readyMs);
            return finish(t0);
        }
        if (!o.smoke()) {
            // A third start, so the time to ready is a median of three (the smoke run takes two).
            try (Service svc = startService("service-2")) {
                log("service-2 ready");
            }
        }
        try (Service svc = startService("service-3", CHART_JVM, Map.of(), freePort(), freePort(), true)) {
            footprint(svc, new SignIns.Minter(cookieKey, Duration.ofHours(1), signedIn));
        } finally {
            if (footprintHttp != null) {
                footprintHttp.close().await(10, TimeUnit.SECONDS);
            }
        }
        new StartupBench(this, o, report).run(minter(signedIn));
        report.readiness(readyMs);
        return finish(t0);
    }

    private Report.Results finish(long t0) throws IOException {
        report.elapsed(Duration.ofNanos(System.nanoTime() - t0));
        Path out = o.out();
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, report.markdown());
        log("wrote " + out);
        return report.results();
    }

    // ---- 1. warm path direct ----

    private void warmDirect(Service svc, String cookie, Map<String, String> authHeaders) throws Exception {
        Path headersFile = work.resolve("auth-response-headers.txt");
        StringBuilder sb = new StringBuilder();
        authHeaders.forEach((k, v) -> sb.append(k).append(": ").append(v).append('\n'));
        Files.writeString(headersFile, sb);
        int port = freePort();
        List<String> cmd = new ArrayList<>(List.of(javaBin));
        cmd.addAll(javaOpts("trivial"));
        cmd.addAll(List.of("-cp", o.jar() + java.io.File.pathSeparator + o.projectDir().resolve("target/test-classes"),
                TrivialEndpoint.class.getName(), String.valueOf(port), headersFile.toString()));
        try (ChildProcess trivial = ChildProcess.start("trivial endpoint", cmd, Map.of(), work.resolve("trivial.log"))) {
            String trivialUrl = "http://127.0.0.1:" + port + "/oauth2/auth";
            trivial.awaitReady(() -> answers200(trivialUrl), Duration.ofSeconds(60));
            List<Wrk.Result[]> rounds = alternate("direct", new Side(trivialUrl, List.of(cookie), ProcessCpu.of(trivial.process.toHandle())),
                    svc.side(cookie), o.seconds(), true);
            report.warmDirect(rounds);
        }
    }

    // ---- 1b. warm path in redis mode ----

    /** Rounds of the redis-mode and transport comparisons last at most this long (the outside measurement of issue 12 used 10 s). */
    private static final int SHORT_ROUND_SECONDS = 10;
    /** A limit that is on (one script call per request) but never refuses in a round of the benchmark. */
    private static final String NEVER_REFUSING_BURST = "1000000";

    /**
     * The warm path with AKS_AUTH_PROXY_SESSION_STORE=redis against a real redis-server, alternating with the cookie-mode
     * service (already warm), and the Redis commands those requests made, counted at the server. Then once more with
     * the per-user limit on (a burst it never reaches), to count the rate-limit script's calls.
     */
    private void redisWarm(Service cookieMode, String cookieModeCookie) throws Exception {
        int seconds = Math.min(o.seconds(), SHORT_ROUND_SECONDS);
        try (BenchRedis redis = BenchRedis.start()) {
            List<Wrk.Result[]> rounds;
            BenchRedis.Commands commands;
            try (Service svc = startService("service-redis", redis.settings(), List.of())) {
                Side redisSide = svc.side(signedInCookie(svc));
                long answeredBefore = svc.authAnswered();
                BenchRedis.Snapshot before = redis.commandStats();
                rounds = alternate("redis", cookieMode.side(cookieModeCookie), redisSide, seconds, false);
                commands = redis.commandStats().since(before, svc.authAnswered() - answeredBefore);
            }
            Map<String, String> limited = new HashMap<>(redis.settings());
            limited.put("AKS_AUTH_PROXY_AUTH_RATE_BURST", NEVER_REFUSING_BURST);
            limited.put("AKS_AUTH_PROXY_AUTH_RATE_PER_SECOND", NEVER_REFUSING_BURST);
            try (Service svc = startService("service-redis-limited", limited, List.of())) {
                Side side = svc.side(signedInCookie(svc));
                long answeredBefore = svc.authAnswered();
                BenchRedis.Snapshot before = redis.commandStats();
                Wrk.Result r = new Wrk(work, o.wrkThreads(), o.connections()).run("redis-limited", side.url(), side.headers(), seconds, side.cpu());
                BenchRedis.Commands limitedCommands = redis.commandStats().since(before, svc.authAnswered() - answeredBefore);
                log("redis mode: commands at the server with the limit off: " + commands.listed() + " for " + commands.requests()
                        + " requests; with the limit on: " + limitedCommands.listed() + " for " + limitedCommands.requests() + " requests");
                report.redisWarm(rounds, commands, r, limitedCommands);
            }
        }
    }

    /** A real sign-in at {@code svc}, its token then cached by one {@code /oauth2/auth}; the {@code Cookie: ...} header. */
    private String signedInCookie(Service svc) throws Exception {
        Map<String, String> cookies = new SignIns(idp.trust(), svc.publicUrl()).signIn();
        cookies.values().forEach(SecretsSeen::add);
        authResponseHeaders(svc, SignIns.cookieHeader(cookies));
        return "Cookie: " + SignIns.cookieHeader(cookies);
    }

    // ---- 2. through nginx ----

    private void throughNginx(Service svc, String cookie, Map<String, String> authHeaders) throws Exception {
        try (NginxRig nginx = NginxRig.start(o.projectDir().resolve("bench/nginx"), work.resolve("nginx"), o.nginxWorkers(),
                svc.internalPort, authHeaders)) {
            for (NginxRig.Mode mode : NginxRig.Mode.values()) {
                List<Wrk.Result[]> rounds = alternate("nginx-" + mode.label, new Side(nginx.url(mode, false), List.of(cookie), nginx.staticAuthCpu()),
                        new Side(nginx.url(mode, true), List.of(cookie), svc.cpu()), o.seconds(), true);
                report.nginx(mode, rounds);
            }
        }
    }

    /** One side of a comparison: the URL wrk loads, its request headers, and the process whose CPU time answers it. */
    record Side(String url, List<String> headers, ProcessCpu cpu) {
    }

    /**
     * Warm-up of each side (of the service side only when {@code warmLimit} is false: the limit is warm already),
     * then rounds of {@code seconds} alternating limit, service, limit, service ...; [0] is the limit, [1] the service.
     */
    private List<Wrk.Result[]> alternate(String label, Side limitSide, Side serviceSide, int seconds, boolean warmLimit) throws Exception {
        return alternate(label, limitSide, serviceSide, seconds, warmLimit, true);
    }

    /** As above; {@code warmService} false: the service side is warm already, only the limit side gets a warm-up. */
    private List<Wrk.Result[]> alternate(String label, Side limitSide, Side serviceSide, int seconds, boolean warmLimit, boolean warmService)
            throws Exception {
        Wrk wrk = new Wrk(work, o.wrkThreads(), o.connections());
        if (o.warmupSeconds() > 0) {
            if (warmLimit) {
                wrk.run(label + "-warmup-limit", limitSide.url(), limitSide.headers(), o.warmupSeconds());
            }
            if (warmService) {
                wrk.run(label + "-warmup-service", serviceSide.url(), serviceSide.headers(), o.warmupSeconds());
            }
        }
        List<Wrk.Result[]> rounds = new ArrayList<>();
        for (int r = 1; r <= o.rounds(); r++) {
            Wrk.Result limit = wrk.run(label + "-" + r + "-limit", limitSide.url(), limitSide.headers(), seconds, limitSide.cpu());
            Wrk.Result service = wrk.run(label + "-" + r + "-service", serviceSide.url(), serviceSide.headers(), seconds, serviceSide.cpu());
            log(String.format("%s round %d: limit %.0f req/s, service %.0f req/s (p99 %.2f ms); CPU per request %.1f us vs %.1f us", label, r,
                    limit.rps(), service.rps(), service.p99Ms(), limit.cpuUsPerRequest(), service.cpuUsPerRequest()));
            rounds.add(new Wrk.Result[] {limit, service});
        }
        return rounds;
    }

    // ---- 3. cold path ----

    private void coldPath(Service svc, SignIns.Minter minter) throws Exception {
        int n = o.coldSessions();
        List<String> cookies = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            cookies.add(minter.newSessionCookie());
        }
        long before = front.tokenRequests("refresh_token");
        front.takePeakTokenRequestsOpen();
        long connectionsBefore = front.connections();
        long serviceCpu = svc.process.cpuMillis();
        long rigCpu = rigCpuMillis();
        List<Integer> port = List.of(svc.internalPort);
        Burst first = burst(port, cookies);
        serviceCpu = svc.process.cpuMillis() - serviceCpu;
        rigCpu = rigCpuMillis() - rigCpu;
        long idpRequests = front.tokenRequests("refresh_token") - before;
        int peak = front.takePeakTokenRequestsOpen();
        long connections = front.connections() - connectionsBefore;
        Burst again = burst(port, cookies);
        long idpAfterAgain = front.tokenRequests("refresh_token") - before;
        log(String.format("cold path: %d sessions, %d token requests at the IdP front (at most %d at once, over %d new connections), "
                + "p99 %.1f ms", n, idpRequests, peak, connections, first.p99Ms()));
        report.cold(n, front.latency(), first, idpRequests, peak, connections, serviceCpu, rigCpu, again, idpAfterAgain);
    }

    /** CPU time of the rig's own JVM so far (the stand-in IdP, its front, the HTTP clients), in ms. */
    private static long rigCpuMillis() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1_000_000;
    }

    // ---- 3b. redis mode: sign-ins beside cookie mode, and the cold path after restarting every replica ----

    /** Two replicas on one Redis, beside the cookie-mode service that is still running. */
    private void inRedisMode(SignIns cookieSignIns) throws Exception {
        try (BenchRedis redis = BenchRedis.start()) {
            List<Service> replicas = new ArrayList<>();
            try {
                for (String name : List.of("redis-1", "redis-2")) {
                    replicas.add(startService(name, List.of(), redis.settings(), freePort(), freePort(), false));
                }
                if (o.runs("sign-in")) {
                    signInThroughput(cookieSignIns, new SignIns(idp.trust(), replicas.get(0).publicUrl()));
                }
                if (o.runs("redis")) {
                    coldAfterRestart(redis, replicas);
                }
            } finally {
                for (Service r : replicas) {
                    r.close();
                }
            }
        }
    }

    /**
     * Sessions signed in for real (a ticket cookie, the session in Redis), their tokens minted by one burst over both
     * replicas; then every replica stops and starts again on its ports, and the same sessions call again at once.
     */
    private void coldAfterRestart(BenchRedis redis, List<Service> replicas) throws Exception {
        int n = o.redisSessions();
        List<String> cookies = signInMany(new SignIns(idp.trust(), replicas.get(0).publicUrl()), n);
        long before = front.tokenRequests("refresh_token");
        Burst mint = burst(replicas.stream().map(Service::internalPort).toList(), cookies);
        long minted = front.tokenRequests("refresh_token") - before;
        List<Service> stopped = List.copyOf(replicas);
        for (Service r : stopped) {
            r.close();
        }
        replicas.clear();
        for (Service r : stopped) {
            replicas.add(startService(r.process().name + "-restarted", List.of(), redis.settings(), r.publicPort(), r.internalPort(), false));
        }
        long beforeRestart = front.tokenRequests("refresh_token");
        Burst after = burst(replicas.stream().map(Service::internalPort).toList(), cookies);
        long afterRestart = front.tokenRequests("refresh_token") - beforeRestart;
        log(String.format("redis mode: %d sessions over %d replicas, %d token requests to mint, %d after restarting every replica (p99 %.1f ms)",
                n, replicas.size(), minted, afterRestart, after.p99Ms()));
        report.coldAfterRestart(n, replicas.size(), mint, minted, after, afterRestart);
    }

    /** {@code n} real sign-ins, {@link BenchOptions#signInConcurrency} browsers at a time; their {@code Cookie} headers. */
    private List<String> signInMany(SignIns signIns, int n) throws Exception {
        java.util.concurrent.ExecutorService browsers = java.util.concurrent.Executors.newFixedThreadPool(o.signInConcurrency());
        try {
            java.util.concurrent.Callable<String> signIn = () -> SignIns.cookieHeader(signIns.signIn());
            List<String> cookies = new ArrayList<>();
            for (java.util.concurrent.Future<String> f : browsers.invokeAll(java.util.Collections.nCopies(n, signIn), 300, TimeUnit.SECONDS)) {
                cookies.add(f.get());
            }
            cookies.forEach(SecretsSeen::add);
            return cookies;
        } finally {
            browsers.shutdownNow();
        }
    }

    /** Latencies and statuses of requests that all start at once, one per cookie. */
    record Burst(int ok, int other, double p50Ms, double p99Ms, double maxMs, double wallMs) {
    }

    /** A new client for each burst (its connections, one per request, spread over {@code ports} in turn). */
    private Burst burst(List<Integer> ports, List<String> cookies) throws Exception {
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(cookies.size()).setMaxWaitQueueSize(-1));
        try {
            return burst(client, ports, cookies);
        } finally {
            client.close().await(10, TimeUnit.SECONDS);
        }
    }

    private Burst burst(HttpClient client, List<Integer> ports, List<String> cookies) throws InterruptedException {
        int n = cookies.size();
        double[] latencies = new double[n];
        AtomicInteger ok = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(n);
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            int idx = i;
            long t = System.nanoTime();
            authGet(client, ports.get(i % ports.size()), cookies.get(i)).onComplete(ar -> {
                latencies[idx] = (System.nanoTime() - t) / 1e6;
                if (ar.succeeded() && ar.result() == 200) {
                    ok.incrementAndGet();
                }
                done.countDown();
            });
        }
        if (!done.await(300, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the cold-path burst did not finish within 300 s");
        }
        double wall = (System.nanoTime() - start) / 1e6;
        java.util.Arrays.sort(latencies);
        return new Burst(ok.get(), n - ok.get(), Report.percentile(latencies, 0.50), Report.percentile(latencies, 0.99), latencies[n - 1], wall);
    }

    private static Future<Integer> authGet(HttpClient client, int internalPort, String cookie) {
        RequestOptions req = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(internalPort)
                .setURI("/oauth2/auth").putHeader("Cookie", cookie).setTimeout(120_000);
        return client.request(req).compose(r -> r.send()).compose(resp -> resp.body().map(b -> resp.statusCode()));
    }

    // ---- 4. sign-in throughput ----

    /** Rounds alternating cookie mode and redis mode, after a warm-up of each; [0] cookie, [1] redis. */
    private void signInThroughput(SignIns cookie, SignIns redis) throws Exception {
        int warmup = Math.min(o.warmupSeconds(), 5);
        if (warmup > 0) {
            signInRound(cookie, warmup);
            signInRound(redis, warmup);
        }
        List<SignInRound[]> rounds = new ArrayList<>();
        for (int r = 1; r <= o.rounds(); r++) {
            SignInRound c = signInRound(cookie, o.signInRoundSeconds());
            SignInRound rd = signInRound(redis, o.signInRoundSeconds());
            log(String.format("sign-in round %d: cookie %.1f sign-ins/s (p99 %.1f ms), redis %.1f sign-ins/s (p99 %.1f ms)", r,
                    c.perSecond(), c.p99Ms(), rd.perSecond(), rd.p99Ms()));
            rounds.add(new SignInRound[] {c, rd});
        }
        report.signIns(o.signInConcurrency(), front.latency(), rounds);
    }

    record SignInRound(int completed, double perSecond, double p50Ms, double p99Ms) {
    }

    private SignInRound signInRound(SignIns signIns, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<Double> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < o.signInConcurrency(); i++) {
            Thread t = new Thread(() -> {
                while (System.nanoTime() < deadline && failures.isEmpty()) {
                    long t0 = System.nanoTime();
                    try {
                        signIns.signIn();
                        latencies.add((System.nanoTime() - t0) / 1e6);
                    } catch (Exception e) {
                        failures.add(e);
                    }
                }
            }, "bench-sign-in-" + i);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(seconds + 120L));
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        if (!failures.isEmpty()) {
            throw new IllegalStateException("a sign-in failed: " + failures.get(0).getMessage(), failures.get(0));
        }
        double[] l = latencies.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (l.length == 0) {
            throw new IllegalStateException("no sign-in completed in " + seconds + " s");
        }
        return new SignInRound(l.length, l.length / elapsed, Report.percentile(l, 0.5), Report.percentile(l, 0.99));
    }

    // ---- 5. footprint ----

    /**
     * The chart's JVM: the image's ENTRYPOINT flags, and the container's memory limit (the chart's 512Mi) emulated
     * for the JVM's own sizing with {@code -XX:MaxRAM}, so the heap is the image's share of it as in a pod.
     */
    static final List<String> CHART_JVM = List.of("-XX:MaxRAM=512m", "-XX:MaxRAMPercentage=55", "-XX:+ExitOnOutOfMemoryError");
    static final long CHART_LIMIT_MIB = 512;
    /** The most sessions the service keeps decoded (SessionCookieStore): their session ids outlive a sign-out. */
    static final int DECODED_SESSIONS = io.github.aksauthproxy.session.SessionCookieStore.MOST_KEPT;

    /** What the footprint benchmark saw; heaps in KiB, from {@code jcmd GC.heap_info} after {@code jcmd GC.run}. */
    record Footprint(int sessions, long idpRequests, double mintPerSecond, double seconds, long idleRssKib, long idleHeapKib,
                     long peakRssKib, long loadedRssKib, long loadedHeapKib, long rssAfterGcKib, Map<String, Double> loaded,
                     double avgTokenChars, int signedOut, long heapAfterSignOutKib, Map<String, Double> afterSignOut,
                     boolean alive, boolean outOfMemory) {
        double cachedEntries() {
            return loaded.getOrDefault("aks_auth_proxy_token_cache_entries", Double.NaN);
        }

        /** Tokens the sign-outs dropped from the cache: the entries before minus after. */
        double dropped() {
            return cachedEntries() - afterSignOut.getOrDefault("aks_auth_proxy_token_cache_entries", Double.NaN);
        }

        /** Heap each dropped token freed, beyond its own text: the per-entry overhead of the token cache. */
        double overheadBytes() {
            return (loadedHeapKib - heapAfterSignOutKib) * 1024.0 / dropped() - avgTokenChars;
        }
    }

    private void footprint(Service svc, SignIns.Minter minter) throws Exception {
        long t0 = System.nanoTime();
        // Entra-sized tokens (about 2.5 KB) from here on; the earlier benchmarks keep the stand-in's own.
        idp.refreshedClaims(EntraSizedClaims.claims());
        long idleRss = svc.process.rssKib();
        long idleHeap = heapAfterFullGc(svc);
        int n = o.footprintSessions();
        String[] cookies = new String[n];
        for (int i = 0; i < n; i++) {
            cookies[i] = minter.newSessionCookie();
        }
        long before = front.tokenRequests("refresh_token");
        AtomicLong peakRss = new AtomicLong(idleRss);
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    peakRss.accumulateAndGet(svc.process.rssKib(), Math::max);
                    Thread.sleep(200);
                } catch (InterruptedException stop) {
                    return;
                } catch (IOException gone) {
                    return;
                }
            }
        }, "bench-rss-sampler");
        sampler.setDaemon(true);
        sampler.start();
        AtomicLong tokenChars = new AtomicLong();
        long start = System.nanoTime();
        drive(n, i -> authAnswer(svc, cookies[i]).map(a -> {
            tokenChars.addAndGet(a.tokenChars());
            return a.status();
        }), "footprint: /oauth2/auth", svc);
        double populateSeconds = (System.nanoTime() - start) / 1e9;
        sampler.interrupt();
        sampler.join(5_000);
        long idpRequests = front.tokenRequests("refresh_token") - before;
        long loadedRss = svc.process.rssKib();
        peakRss.accumulateAndGet(loadedRss, Math::max);
        Map<String, Double> loaded = tokenCacheMetrics(svc);
        long loadedHeap = heapAfterFullGc(svc);
        long rssAfterGc = svc.process.rssKib();
        // Sign out sessions whose tokens are cached (among the last ones loaded: least recently used go first); what
        // the heap loses is what those cache entries held. The most recent DECODED_SESSIONS sessions are left out when
        // there are enough others: the decoded-session cache still holds them, and so their session ids.
        int cached = (int) Math.min(n, loaded.getOrDefault("aks_auth_proxy_token_cache_entries", 0.0).longValue());
        int signOuts = cached > 2 * DECODED_SESSIONS ? cached - DECODED_SESSIONS : cached;
        int first = n - cached;
        drive(signOuts, i -> signOut(svc, cookies[first + i]), "footprint: /oauth2/sign_out", svc);
        Map<String, Double> afterSignOut = tokenCacheMetrics(svc);
        long heapAfterSignOut = heapAfterFullGc(svc);
        boolean oom = Files.readString(svc.process.log).contains("OutOfMemoryError");
        Footprint f = new Footprint(n, idpRequests, n / populateSeconds, (System.nanoTime() - t0) / 1e9, idleRss, idleHeap, peakRss.get(),
                loadedRss, loadedHeap, rssAfterGc, loaded, tokenChars.get() / (double) n, signOuts, heapAfterSignOut, afterSignOut,
                svc.process.process.isAlive(), oom);
        log(String.format(java.util.Locale.ROOT, "footprint: %d sessions, %.0f tokens cached, peak RSS %d MiB, overhead %.0f B per token, %.0f s",
                n, f.cachedEntries(), f.peakRssKib() / 1024, f.overheadBytes(), f.seconds()));
        report.footprint(f);
    }

    /** Calls {@code call} for 0..n-1, {@code o.footprintConcurrency()} at a time; every answer must be 200. */
    private void drive(int n, java.util.function.IntFunction<Future<Integer>> call, String what, Service svc) throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicLong other = new AtomicLong();
        List<Future<Void>> all = new ArrayList<>();
        for (int i = 0; i < o.footprintConcurrency(); i++) {
            Promise<Void> lane = Promise.promise();
            all.add(lane.future());
            vertx.runOnContext(x -> lane(call, n, next, other, lane));
        }
        Future.all(all).await(Math.max(600, n / 50), TimeUnit.SECONDS);
        if (other.get() > 0) {
            throw new IllegalStateException(what + ": " + other.get() + " of " + n + " calls did not answer 200; see " + svc.process.log);
        }
    }

    private static void lane(java.util.function.IntFunction<Future<Integer>> call, int n, AtomicInteger next, AtomicLong other, Promise<Void> lane) {
        int i = next.getAndIncrement();
        if (i >= n) {
            lane.tryComplete();
            return;
        }
        call.apply(i).onComplete(ar -> {
            if (ar.failed() || ar.result() != 200) {
                other.incrementAndGet();
            }
            lane(call, n, next, other, lane);
        });
    }

    private record AuthAnswer(int status, int tokenChars) {
    }

    /** {@code /oauth2/auth} with this cookie: the status and the length of the token in {@code Authorization}. */
    private Future<AuthAnswer> authAnswer(Service svc, String cookie) {
        RequestOptions req = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(svc.internalPort)
                .setURI("/oauth2/auth").putHeader("Cookie", cookie).setTimeout(120_000);
        return footprintClient().request(req).compose(r -> r.send()).compose(resp -> resp.body().map(b -> new AuthAnswer(resp.statusCode(),
                Math.max(0, String.valueOf(resp.getHeader("Authorization")).length() - "Bearer ".length()))));
    }

    private Future<Integer> signOut(Service svc, String cookie) {
        RequestOptions req = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(svc.publicPort)
                .setURI("/oauth2/sign_out").putHeader("Cookie", cookie).setTimeout(120_000);
        return footprintClient().request(req).compose(r -> r.send()).compose(resp -> resp.body().map(b -> resp.statusCode()));
    }

    private HttpClient footprintHttp;

    private HttpClient footprintClient() {
        if (footprintHttp == null) {
            footprintHttp = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
                    new PoolOptions().setHttp1MaxSize(o.footprintConcurrency()).setMaxWaitQueueSize(-1));
        }
        return footprintHttp;
    }

    private static final Pattern CACHE_SERIES = Pattern.compile("^(aks_auth_proxy_token_cache_(?:bytes|max_bytes|entries|evictions_total)) (\\S+)$",
            Pattern.MULTILINE);

    /** The token cache's series from the service's own /metrics. */
    private Map<String, Double> tokenCacheMetrics(Service svc) throws Exception {
        Map<String, Double> m = new LinkedHashMap<>();
        Matcher s = CACHE_SERIES.matcher(metrics(svc.internalPort, Duration.ofSeconds(10)));
        while (s.find()) {
            m.put(s.group(1), Double.parseDouble(s.group(2)));
        }
        if (m.size() != 4) {
            throw new IllegalStateException("/metrics lacks the token cache's series: " + m.keySet());
        }
        return m;
    }

    /** Heap in use after a full GC ({@code jcmd GC.run}, then {@code GC.heap_info}), KiB. */
    private long heapAfterFullGc(Service svc) throws Exception {
        String jcmd = Path.of(javaBin).resolveSibling("jcmd").toString();
        run(List.of(jcmd, String.valueOf(svc.process.process.pid()), "GC.run"));
        String heapInfo = run(List.of(jcmd, String.valueOf(svc.process.process.pid()), "GC.heap_info"));
        Matcher used = Pattern.compile("used (\\d+)K").matcher(heapInfo);
        if (!used.find()) {
            throw new IllegalStateException("jcmd GC.heap_info printed no heap use:\n" + heapInfo);
        }
        return Long.parseLong(used.group(1));
    }

    // ---- the service and its IdP ----

    /** The real jar, started with {@code java [opts] -jar target/aks-auth-proxy.jar serve}; ready after {@code readyMs}. */
    record Service(ChildProcess process, int publicPort, int internalPort, double readyMs) implements AutoCloseable {
        ProcessCpu cpu() {
            return ProcessCpu.of(process.process.toHandle());
        }

        /**
         * The 200s {@code /oauth2/auth} answered so far, by the service's own request counter: wrk does not count the
         * requests still in flight when it stops, the service answered them all the same.
         */
        long authAnswered() throws IOException, InterruptedException {
            Matcher m = AUTH_ANSWERED.matcher(metrics(internalPort, Duration.ofSeconds(10)));
            return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
        }

        /** {@code /oauth2/auth} with {@code cookie} (a whole {@code Cookie: ...} header), for wrk. */
        Side side(String cookie) {
            return new Side(authUrl(), List.of(cookie), cpu());
        }

        String publicUrl() {
            return "http://127.0.0.1:" + publicPort;
        }

        String authUrl() {
            return "http://127.0.0.1:" + internalPort + "/oauth2/auth";
        }

        @Override
        public void close() throws InterruptedException {
            process.close();
        }
    }

    /** The --java-opts for one JVM, with {@code {process}} replaced by its name (JDK 17's JFR does not expand %p). */
    private List<String> javaOpts(String process) {
        return o.javaOpts().stream().map(opt -> opt.replace("{process}", process)).toList();
    }

    private Service startService(String name) throws Exception {
        return startService(name, List.of(), Map.of(), freePort(), freePort(), true);
    }

    /**
     * @param settings more environment variables, or ones replacing the rig's
     * @param jvmOptions JVM options before --java-opts
     */
    private Service startService(String name, Map<String, String> settings, List<String> jvmOptions) throws Exception {
        return startService(name, jvmOptions, settings, freePort(), freePort(), false);
    }

    /**
     * @param jvm options before the --java-opts ones (those win where both set a flag)
     * @param more settings beside the rig's own (the redis store's)
     * @param timesReady whether its time to ready is one of the figures of 5b (cookie-mode starts only)
     */
    private Service startService(String name, List<String> jvm, Map<String, String> more, int publicPort, int internalPort,
                                 boolean timesReady) throws Exception {
        List<String> options = new ArrayList<>(jvm);
        options.addAll(javaOpts(name));
        Service svc = launch(name, javaBin, options, more, publicPort, internalPort);
        if (timesReady) {
            readyMs.add(svc.readyMs());
        }
        return svc;
    }

    /** Starts {@code java [jvmOptions] -jar <jar> serve} and waits for /readyz to answer 200. */
    Service launch(String name, String java, List<String> jvmOptions) throws Exception {
        return launch(name, java, jvmOptions, Map.of(), freePort(), freePort());
    }

    private Service launch(String name, String java, List<String> jvmOptions, Map<String, String> more, int publicPort, int internalPort)
            throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("AZURE_CLIENT_ID", EntraStandIn.CLIENT_ID);
        env.put("AZURE_TENANT_ID", EntraStandIn.TENANT);
        env.put("AZURE_FEDERATED_TOKEN_FILE", tokenFile.toString());
        env.put("AZURE_AUTHORITY_HOST", front.authorityHost());
        env.put("AKS_AUTH_PROXY_OIDC_DISCOVERY_URL", front.discoveryUrl());
        env.put("AKS_AUTH_PROXY_IDP_CA_FILE", caFile.toString());
        env.put("AKS_AUTH_PROXY_REDIRECT_URL", "http://127.0.0.1:" + publicPort + "/oauth2/callback");
        env.put("AKS_AUTH_PROXY_COOKIE_SECRETS", cookieKey);
        env.put("AKS_AUTH_PROXY_LISTEN_ADDRESS", "127.0.0.1");
        // One session drives thousands of requests a second here: the per-user limit would (rightly) answer 429.
        env.put("AKS_AUTH_PROXY_AUTH_RATE_BURST", "0");
        env.put("AKS_AUTH_PROXY_LOG_FORMAT", "json");
        env.put("AKS_AUTH_PROXY_PUBLIC_PORT", String.valueOf(publicPort));
        env.put("AKS_AUTH_PROXY_INTERNAL_PORT", String.valueOf(internalPort));
        // As in a cluster, where KUBERNETES_SERVICE_HOST names the API server: nothing here calls it.
        env.put("AKS_AUTH_PROXY_KUBERNETES_API_URL", "https://127.0.0.1:" + freePort());
        if (o.smoke()) {
            // No figure waits on a stop, and the smoke run stops over twenty services: 5 s of draining each (the default, for
            // the ingress to drop a pod) would be two minutes of the run. The full run stops them as a cluster does.
            env.put("AKS_AUTH_PROXY_SHUTDOWN_DELAY", "0s");
        }
        env.putAll(more);
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-jar", o.jar().toString(), "serve"));
        ChildProcess p = ChildProcess.start(name, cmd, env, work.resolve(name + ".log"));
        String readyz = "http://127.0.0.1:" + internalPort + "/readyz";
        Duration ready;
        try {
            ready = p.awaitReady(() -> answers200(readyz), Duration.ofSeconds(60));
        } catch (Exception e) {
            p.close();
            throw e;
        }
        log(name + " ready after " + ready.toMillis() + " ms");
        return new Service(p, publicPort, internalPort, ready.toNanos() / 1e6);
    }

    /** Runs {@code task} with the stand-in IdP and its front up (wrk and nginx are not needed), then stops them. */
    static void withIdp(BenchOptions o, RigTask task) throws Exception {
        BenchRun rig = new BenchRun(o);
        try {
            rig.startIdp();
            task.run(rig);
        } finally {
            rig.stopIdp();
        }
    }

    interface RigTask {
        void run(BenchRun rig) throws Exception;
    }

    String javaBin() {
        return javaBin;
    }

    Path work() {
        return work;
    }

    /** Real sign-ins (start, the IdP's authorize endpoint, callback) against {@code svc}. */
    SignIns signIns(Service svc) {
        return new SignIns(idp.trust(), svc.publicUrl());
    }

    /** Mints sessions of the user {@code signedIn} belongs to with the key every service of this run is given. */
    SignIns.Minter minter(Map<String, String> signedIn) {
        return new SignIns.Minter(cookieKey, Duration.ofHours(1), signedIn);
    }

    private void startIdp() throws Exception {
        vertx = Vertx.vertx();
        idp = new EntraStandIn();
        front = EntraFront.start(vertx, idp);
        tokenFile = work.resolve("azure-identity-token");
        ServiceUnderTest.writeAssertion(tokenFile, "bench", new MutableClock(Instant.now()));
        caFile = idp.writeCaFile(work);
        // The stand-in keeps every request it served for takeRequest(); drop them, the front counts instead.
        Thread drain = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    idp.takeRequest(1, TimeUnit.SECONDS);
                }
            } catch (InterruptedException stopped) {
                Thread.currentThread().interrupt();
            }
        }, "bench-idp-drain");
        drain.setDaemon(true);
        drain.start();
    }

    private void stopIdp() throws Exception {
        if (front != null) {
            front.close();
        }
        if (idp != null) {
            idp.close();
        }
        if (vertx != null) {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }

    /** The headers of the service's 200 from /oauth2/auth (its token now cached), names and values as sent. */
    private Map<String, String> authResponseHeaders(Service svc, String cookie) throws Exception {
        HttpClient client = vertx.createHttpClient();
        try {
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 0; i < 2; i++) {
                RequestOptions req = new RequestOptions().setHost("127.0.0.1").setPort(svc.internalPort).setURI("/oauth2/auth")
                        .putHeader("Cookie", cookie);
                int status = client.request(req).compose(r -> r.send()).compose(resp -> resp.body().map(b -> {
                    headers.clear();
                    resp.headers().forEach((k, v) -> {
                        if (!k.equalsIgnoreCase("content-length")) {
                            headers.put(k, v);
                        }
                    });
                    return resp.statusCode();
                })).await(60, TimeUnit.SECONDS);
                if (status != 200) {
                    throw new IllegalStateException("/oauth2/auth with a fresh session answered " + status + "; see " + svc.process.log);
                }
            }
            return headers;
        } finally {
            client.close().await(10, TimeUnit.SECONDS);
        }
    }

    private void checkTools() throws IOException {
        List<String> missing = new ArrayList<>();
        for (String tool : List.of("wrk", "nginx", "redis-server")) {
            if (which(tool) == null) {
                missing.add(tool);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("the benchmarks need " + String.join(" and ", missing) + " on the PATH: "
                    + "apt-get install " + String.join(" ", missing) + " (Debian packages; bench/run.sh and scripts/test install them)");
        }
        if (!Files.isRegularFile(o.jar())) {
            throw new IllegalStateException(o.jar() + " does not exist: build it with mvn -B -DskipTests package (bench/run.sh does)");
        }
        try (ZipFile jar = new ZipFile(o.jar().toFile())) {
            if (jar.stream().anyMatch(e -> e.getName().startsWith(JAR_IDP_PACKAGE))) {
                throw new IllegalStateException(o.jar() + " contains the stand-in IdP (" + JAR_IDP_PACKAGE + "): it must not");
            }
        }
    }

    static String which(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        for (String dir : List.of("/usr/sbin", "/usr/bin", "/sbin")) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        return out;
    }

    private static final Pattern AUTH_ANSWERED = Pattern.compile(
            "(?m)^aks_auth_proxy_http_requests_seconds_count\\{listener=\"internal\",route=\"/oauth2/auth\",status=\"200\"} ([0-9.eE+]+)$");
    private static final java.net.http.HttpClient PROBE = java.net.http.HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(1)).version(java.net.http.HttpClient.Version.HTTP_1_1).build();

    /** The service's own {@code /metrics} text from its internal listener; an IOException for any answer but 200. */
    static String metrics(int internalPort, Duration timeout) throws IOException, InterruptedException {
        java.net.http.HttpResponse<String> r = PROBE.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + internalPort + "/metrics")).timeout(timeout).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("/metrics on port " + internalPort + " answered " + r.statusCode());
        }
        return r.body();
    }

    static boolean answers200(String url) throws IOException, InterruptedException {
        java.net.http.HttpRequest req = java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).timeout(Duration.ofSeconds(2)).build();
        return PROBE.send(req, java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    static void log(String line) {
        System.out.println("[bench] " + line);
        System.out.flush();
    }
}
