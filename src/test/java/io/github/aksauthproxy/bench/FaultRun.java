package io.github.aksauthproxy.bench;

import io.github.aksauthproxy.it.DemoCluster;
import io.github.aksauthproxy.it.EntraStandIn;
import io.github.aksauthproxy.it.MutableClock;
import io.github.aksauthproxy.it.NginxIngress;
import io.github.aksauthproxy.it.RedisSentinelGroup;
import io.github.aksauthproxy.it.SecretsSeen;
import io.github.aksauthproxy.it.ServiceUnderTest;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;

/**
 * The fault harness (bench/faults/README.md): real nginx rendered from the shipped ingress-nginx example in front of
 * two replicas of the real jar (one upstream with both), the stand-in IdP behind {@link EntraFront} and a
 * {@link FaultRelay}, the Kubernetes API server stand-in behind another relay, in redis mode a Redis master, its
 * replica and three Sentinels, and {@link FaultLoad}'s signed-in users calling through nginx all along, while a
 * schedule of faults breaks what the service depends on. It runs once per session mode and writes what every answer
 * was, per fault, to a Markdown report (RELIABILITY.md). Loopback only; every process it starts is stopped when it
 * ends, fails or is interrupted.
 */
public final class FaultRun {
    /** The protected app's answer when the request reached it with a bearer token (the auth step passed one on). */
    static final String APP_WITH_TOKEN = "app: bearer token received";
    private static final String INTERNAL_UPSTREAM = "aks-auth-proxy.auth.svc.cluster.local";
    private static final String PUBLIC_UPSTREAM = "aks-auth-proxy-public";
    /** Sessions (sign-ins) whose refresh tokens Entra refuses in the invalid_grant fault. */
    static final int VICTIM_SESSIONS = 3;
    /** Every n-th session calls the rbac-gated app (profile rbac); the others the default profile. */
    static final int RBAC_EVERY = 5;

    private static final java.net.http.HttpClient READINESS_PROBE = java.net.http.HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2)).version(java.net.http.HttpClient.Version.HTTP_1_1).build();

    private final FaultOptions o;
    private final String mode;
    private final Path work;
    private final String javaBin;
    private final String oldKey = newKey();
    private final String newKey = newKey();
    private final long t0 = System.nanoTime();
    private final List<AutoCloseable> toClose = new CopyOnWriteArrayList<>();
    final List<Phase> phases = new ArrayList<>();
    private final List<ReadinessSample> readiness = new CopyOnWriteArrayList<>();
    private final List<String> shutdownNotes = new CopyOnWriteArrayList<>();
    private Vertx vertx;
    private EntraStandIn idp;
    private EntraFaults entraFaults;
    private FaultRelay entraRelay;
    private FaultRelay apiRelay;
    private DemoCluster cluster;
    private RedisSentinelGroup redis;
    /** Appended to the description of the phase that is running (what the fault found out, e.g. how long a failover took). */
    private volatile String phaseNote = "";
    private final List<FaultReport.Acquisitions> acquisitions = new CopyOnWriteArrayList<>();
    private ChildProcess nginx;
    private Path tokenFile;
    private Path caFile;
    private int nginxPort;
    private final Replica[] replicas = new Replica[2];
    private FaultLoad load;
    private volatile boolean polling = true;

    /** One fault: from {@code startMs} to {@code endMs}, then quiet until {@code quietEndMs} (ms of the run). */
    record Phase(String name, String what, Kind kind, long startMs, long endMs, long quietEndMs) {
    }

    enum Kind { BASELINE, ENTRA, TOKEN_FILE, KILL, ROLLING, KEYS, API_SERVER, REDIS, REDIS_EMPTY }

    /** Whether one replica's /readyz answered 200 at one time; {@code up} false when nothing listened. */
    record ReadinessSample(long ms, int replica, boolean up, boolean ready) {
    }

    /** One replica of the jar: its ports stay the same across restarts (nginx's upstream names them). */
    private final class Replica {
        final int index;
        final int publicPort = BenchRun.freePort();
        final int internalPort = BenchRun.freePort();
        volatile ChildProcess process;
        int starts;

        Replica(int index) throws IOException {
            this.index = index;
        }

        void start(String keys) throws Exception {
            String name = "replica-" + index + "-" + (++starts);
            Map<String, String> env = serviceEnv(this, keys);
            List<String> cmd = new ArrayList<>(List.of(javaBin));
            cmd.addAll(o.javaOpts().stream().map(opt -> opt.replace("{process}", name)).toList());
            cmd.addAll(List.of("-jar", o.jar().toString(), "serve"));
            ChildProcess p = ChildProcess.start(name, cmd, env, work.resolve(name + ".log"));
            process = p;
            String readyz = "http://127.0.0.1:" + internalPort + "/readyz";
            Duration ready = p.awaitReady(() -> BenchRun.answers200(readyz), Duration.ofSeconds(90));
            BenchRun.log(name + " ready after " + ready.toMillis() + " ms (" + mode + " mode, cookie keys: " + keysLabel(keys) + ")");
        }

        /** SIGKILL: the process is gone at once, in-flight requests with it. */
        void kill() throws InterruptedException {
            process.process.destroyForcibly();
            process.process.waitFor(15, TimeUnit.SECONDS);
        }

        /**
         * SIGTERM, as the kubelet sends it; watches /readyz every 100 ms until the listener closes, to tell whether
         * readiness turned false while requests were still served (what lets Kubernetes take the pod out first).
         */
        void terminate() throws Exception {
            String readyz = "http://127.0.0.1:" + internalPort + "/readyz";
            long sent = System.nanoTime();
            process.process.destroy();
            boolean sawNotReady = false;
            long closedAfter = -1;
            long deadline = sent + TimeUnit.SECONDS.toNanos(40);
            while (System.nanoTime() < deadline) {
                try {
                    if (!BenchRun.answers200(readyz)) {
                        sawNotReady = true;
                    }
                } catch (IOException closed) {
                    closedAfter = (System.nanoTime() - sent) / 1_000_000;
                    break;
                }
                TimeUnit.MILLISECONDS.sleep(100);
            }
            boolean exited = process.process.waitFor(30, TimeUnit.SECONDS);
            shutdownNotes.add(String.format("replica %d: SIGTERM; /readyz %s before the listener closed %s after the signal; exit %s",
                    index, sawNotReady ? "answered 503" : "never answered 503", closedAfter < 0 ? "(not within 40 s)" : closedAfter + " ms",
                    exited ? String.valueOf(process.process.exitValue()) : "not within 30 s more"));
            if (!exited) {
                process.process.destroyForcibly();
                process.process.waitFor(10, TimeUnit.SECONDS);
            }
        }

        void stop() throws InterruptedException {
            ChildProcess p = process;
            if (p != null) {
                p.close();
            }
        }
    }

    FaultRun(FaultOptions o, String mode) throws IOException {
        this.o = o;
        this.mode = mode;
        this.work = o.workDir(mode);
        BenchRun.deleteTree(work);
        Files.createDirectories(work);
        this.javaBin = ProcessHandle.current().info().command().orElse("java");
        SecretsSeen.add(oldKey);
        SecretsSeen.add(newKey);
    }

    public static void main(String[] args) throws Exception {
        Map<String, FaultReport.Results> results = run(FaultOptions.parse(args));
        results.forEach((mode, r) -> System.out.println(mode + " mode: " + r.summary()));
        System.exit(0);
    }

    /**
     * Runs the schedule once per mode and writes the report; every process started is stopped, also on failure or
     * interruption. Returns each mode's results.
     */
    static Map<String, FaultReport.Results> run(FaultOptions o) throws Exception {
        long started = System.nanoTime();
        List<FaultReport> reports = new ArrayList<>();
        for (String mode : o.modes()) {
            FaultRun rig = new FaultRun(o, mode);
            Thread onExit = new Thread(rig::stopAll, "faults-stop");
            Runtime.getRuntime().addShutdownHook(onExit);
            try {
                reports.add(rig.runAll());
            } finally {
                rig.stopAll();
                try {
                    Runtime.getRuntime().removeShutdownHook(onExit);
                } catch (IllegalStateException exiting) {
                    // the JVM is already shutting down: the hook runs stopAll again, which is harmless
                }
            }
        }
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        StringBuilder md = new StringBuilder(FaultReport.header(o, javaBin, reports, (System.nanoTime() - started) / 1_000_000));
        Map<String, FaultReport.Results> results = new java.util.LinkedHashMap<>();
        for (FaultReport r : reports) {
            md.append(r.section());
            results.put(r.mode(), r.results());
        }
        Files.createDirectories(o.out().toAbsolutePath().getParent());
        Files.writeString(o.out(), md.toString());
        BenchRun.log("wrote " + o.out());
        return results;
    }

    private FaultReport runAll() throws Exception {
        BenchRun.log("---- " + mode + " mode ----");
        checkTools();
        startDependencies();
        replicas[0] = new Replica(0);
        replicas[1] = new Replica(1);
        startNginx();
        startBoth(oldKey);
        startReadinessPoller();

        // Every session is a real sign-in through nginx (in redis mode the session lives in Redis); the first few are
        // the ones whose refresh tokens the invalid_grant fault refuses, kept as Entra hands them out.
        SignIns signIns = new SignIns(idp.trust(), "http://127.0.0.1:" + nginxPort);
        entraFaults.keepSignInRefreshTokens();
        List<Map<String, String>> signedIn = new ArrayList<>();
        for (int i = 0; i < VICTIM_SESSIONS; i++) {
            signedIn.add(signIns.signIn());
        }
        java.util.Set<String> victimRefreshTokens = entraFaults.keptRefreshTokens();
        if (victimRefreshTokens.size() != VICTIM_SESSIONS) {
            throw new IllegalStateException(VICTIM_SESSIONS + " sign-ins gave " + victimRefreshTokens.size() + " refresh tokens");
        }
        victimRefreshTokens.forEach(SecretsSeen::add);
        signedIn.addAll(signInMany(signIns, o.users() - VICTIM_SESSIONS));
        List<FaultLoad.Session> sessions = new ArrayList<>();
        for (int i = 0; i < o.users(); i++) {
            signedIn.get(i).values().forEach(SecretsSeen::add);
            boolean isVictim = i < VICTIM_SESSIONS;
            String path = !isVictim && i % RBAC_EVERY == RBAC_EVERY - 1 ? "/rbac/app" : "/app";
            sessions.add(new FaultLoad.Session(i, path, signedIn.get(i)));
        }
        load = new FaultLoad(vertx, nginxPort, t0, o.hangSeconds(), sessions, signIns::signIn);
        toClose.add(load);
        load.start(o.ratePerSecond());
        BenchRun.log(o.users() + " sessions calling through nginx at " + o.ratePerSecond() + " req/s each");

        runSchedule(victimRefreshTokens);

        load.stop();
        polling = false;
        long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
        FaultReport report = new FaultReport(o, mode, phases, load.answers(), load.signIns(), load.sessions(), entraFaults.tokenRequestTimes(),
                List.copyOf(acquisitions), NginxAuthLog.read(work.resolve("nginx/auth.log")), List.copyOf(readiness), List.copyOf(shutdownNotes),
                chartShutdown(), elapsedMs);
        report.writeAnswers(work.resolve("answers.csv"));
        return report;
    }

    /** {@code n} sign-ins through nginx, a few at a time. */
    private static List<Map<String, String>> signInMany(SignIns signIns, int n) throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<Map<String, String>>> done = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                done.add(pool.submit(signIns::signIn));
            }
            List<Map<String, String>> cookies = new ArrayList<>();
            for (java.util.concurrent.Future<Map<String, String>> f : done) {
                cookies.add(f.get(60, TimeUnit.SECONDS));
            }
            return cookies;
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- the schedule ----

    private void runSchedule(java.util.Set<String> victimRefreshTokens) throws Exception {
        int quiet = o.quietSeconds();
        // Every session's first request gets its token; then calm.
        phase("baseline", "no fault: every session's first request gets its token (the phase ends when every session has had a 200, "
                + "at most after 300 s), then steady calls", Kind.BASELINE, () -> awaitEverySessionServed(Duration.ofSeconds(300)), () -> { }, quiet);
        // The short form runs the faults both modes share once, in cookie mode; redis mode adds its own.
        if (!(o.shortRun() && mode.equals("redis"))) {
            sharedFaults(victimRefreshTokens, quiet);
        }
        if (mode.equals("redis")) {
            redisFaults(quiet);
        }
    }

    private void redisFaults(int quiet) throws Exception {
        RedisProcessHolder killed = new RedisProcessHolder();
        phase("Sentinel failover", "the Redis master killed with SIGKILL (the fault ends there: recovery counts from the kill); the "
                + "Sentinels promote the replica (the master judged down after 1 s), then the old master is started again, empty, as "
                + "the new master's replica", Kind.REDIS, () -> {
                    killed.nanos = System.nanoTime();
                    killed.process = redis.killMaster();
                }, () -> { }, () -> {
                    Duration failover = redis.awaitFailoverFrom(killed.process, killed.nanos, Duration.ofSeconds(60));
                    phaseNote = ". The Sentinels named the new master " + failover.toMillis() + " ms after the kill";
                }, quiet);
        int down = o.redisDownSeconds();
        phase("Redis unreachable", "the Redis master, its replica and the three Sentinels frozen (SIGSTOP) for " + down + " s: "
                + "connections stay open and nothing answers, as when the network drops every packet; then they go on (SIGCONT)",
                Kind.REDIS, () -> { redis.freeze(); sleep(down); }, () -> redis.thaw(), quiet);
        phase("Redis restarted empty", "both Redis servers killed and started again without their data (as after a restart without "
                + "persistence): every session is gone, and every user is to be sent to sign in once and sign in cleanly; the phase "
                + "lasts until every session has signed in again (at most 120 s)", Kind.REDIS_EMPTY, () -> {
                    long now = load.nowMs();
                    load.sessions().forEach(s -> s.invalidFromMs = now);
                    redis.restartEmpty(Duration.ofSeconds(30));
                    awaitEverySessionSignedInSince(now, Duration.ofSeconds(120));
                }, () -> { }, quiet);
    }

    private void sharedFaults(java.util.Set<String> victimRefreshTokens, int quiet) throws Exception {
        int fault = o.faultSeconds();
        int minor = o.minorFaultSeconds();
        phase("Entra down", "connections to the IdP refused for " + fault + " s", Kind.ENTRA,
                () -> { entraRelay.set(FaultRelay.Mode.REFUSE); sleep(fault); }, () -> entraRelay.set(FaultRelay.Mode.UP), quiet);
        phase("Entra at " + o.entraLatencyMs() / 1000 + " s latency", "every IdP request delayed " + o.entraLatencyMs() + " ms for " + fault + " s",
                Kind.ENTRA, () -> { entraFaults.set(EntraFaults.Fault.latency(o.entraLatencyMs())); sleep(fault); },
                () -> entraFaults.set(EntraFaults.Fault.NONE), quiet);
        phase("Entra 429", "token requests answered 429 with Retry-After: 10 for " + fault + " s", Kind.ENTRA,
                () -> { entraFaults.set(EntraFaults.Fault.status(429, 10)); sleep(fault); }, () -> entraFaults.set(EntraFaults.Fault.NONE), quiet);
        phase("Entra 503", "IdP requests answered 503 with Retry-After: 5 for " + minor + " s", Kind.ENTRA,
                () -> { entraFaults.set(EntraFaults.Fault.status(503, 5)); sleep(minor); }, () -> entraFaults.set(EntraFaults.Fault.NONE), quiet);
        phase("Entra 500", "IdP requests answered 500 for " + minor + " s", Kind.ENTRA,
                () -> { entraFaults.set(EntraFaults.Fault.status(500, 0)); sleep(minor); }, () -> entraFaults.set(EntraFaults.Fault.NONE), quiet);
        phase("Entra black hole", "connections to the IdP accepted and never answered for " + minor + " s", Kind.ENTRA,
                () -> { entraRelay.set(FaultRelay.Mode.BLACK_HOLE); sleep(minor); }, () -> entraRelay.set(FaultRelay.Mode.UP), quiet);
        phase("invalid_grant", "the refresh tokens of " + VICTIM_SESSIONS + " sign-ins refused (AADSTS70008) from now on: "
                        + "those sessions become invalid, are judged so from the fault's start, and sign in again when sent to",
                Kind.ENTRA, () -> {
                    long now = load.nowMs();
                    load.sessions().stream().filter(s -> s.index < VICTIM_SESSIONS).forEach(s -> s.invalidFromMs = now);
                    entraFaults.set(EntraFaults.Fault.invalidGrant(victimRefreshTokens));
                    sleep(minor);
                    // Each is refused when its token is next renewed: at most a renewal interval later.
                    awaitSignedInAgain(load.sessions().stream().filter(s -> s.index < VICTIM_SESSIONS).map(s -> s.index).toList(), now,
                            Duration.ofSeconds(o.tokenLifetime() - 240L));
                }, () -> { }, quiet);
        int every = o.tokenFileSeconds();
        int unreadable = Math.max(1, every * 2 / 3);
        phase("federated token file", "rewritten every " + every + " s (at 0, " + every + ", " + 2 * every + " and " + 3 * every
                + " s), and missing (unreadable) for " + unreadable + " s from " + (every + every / 3) + " s", Kind.TOKEN_FILE,
                () -> tokenFileFault(every, unreadable), () -> { }, quiet);
        phase("replica SIGKILL", "replica 1 killed with SIGKILL and started again", Kind.KILL, () -> {
            replicas[1].kill();
            replicas[1].start(oldKey);
        }, () -> { }, quiet);
        phase("rolling restart (SIGTERM), new cookie key added", "replica 0 then replica 1 stopped with SIGTERM and started with keys old,new "
                + "(the new key decrypts, the old one still encrypts)", Kind.ROLLING, () -> rolling(oldKey + "," + newKey), () -> { }, quiet);
        int renewal = Math.max(1, o.idleTimeout() / 8) + 2;
        phase("cookie key rotation: new key first", "replica 0 then replica 1 restarted with keys new,old; then " + renewal
                + " s for every active session's cookie to be renewed with the new key", Kind.KEYS, () -> {
                    rolling(newKey + "," + oldKey);
                    sleep(renewal);
                }, () -> { }, 0);
        phase("cookie key rotation: old key dropped", "replica 0 then replica 1 restarted with the new key alone", Kind.KEYS,
                () -> rolling(newKey), () -> { }, quiet);
        phase("API server down", "the Kubernetes API server refuses connections for " + o.apiDownSeconds() + " s (profile rbac; "
                + "the default profile must not notice)", Kind.API_SERVER,
                () -> { apiRelay.set(FaultRelay.Mode.REFUSE); sleep(o.apiDownSeconds()); }, () -> apiRelay.set(FaultRelay.Mode.UP), quiet);
    }

    private interface Step {
        void run() throws Exception;
    }

    private void phase(String name, String what, Kind kind, Step fault, Step end, int quietSeconds) throws Exception {
        phase(name, what, kind, fault, end, () -> { }, quietSeconds);
    }

    /** {@code afterwards} runs once the fault has ended (recovery counts from its start), before the quiet period. */
    private void phase(String name, String what, Kind kind, Step fault, Step end, Step afterwards, int quietSeconds) throws Exception {
        BenchRun.log("fault: " + name + " (" + mode + " mode)");
        phaseNote = "";
        long start = load.nowMs();
        try {
            fault.run();
        } finally {
            end.run();
        }
        long endMs = load.nowMs();
        afterwards.run();
        sleep(quietSeconds);
        phases.add(new Phase(name, what + phaseNote, kind, start, endMs, load.nowMs()));
    }

    /** The Redis server a fault killed, and when. */
    private static final class RedisProcessHolder {
        io.github.aksauthproxy.it.RedisProcess process;
        long nanos;
    }

    /** Until every session has signed in again since {@code sinceMs} (a user sent to sign in does so before calling on). */
    private void awaitEverySessionSignedInSince(long sinceMs, Duration timeout) throws InterruptedException {
        awaitSignedInAgain(load.sessions().stream().map(s -> s.index).toList(), sinceMs, timeout);
    }

    private void awaitSignedInAgain(List<Integer> sessions, long sinceMs, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            java.util.Set<Integer> again = new java.util.HashSet<>();
            load.signIns().stream().filter(FaultLoad.SignIn::ok).filter(x -> x.startMs() >= sinceMs).forEach(x -> again.add(x.session()));
            if (again.containsAll(sessions)) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
        BenchRun.log("not every session signed in again within " + timeout.toSeconds() + " s (the report counts them)");
    }

    private void awaitEverySessionServed(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            java.util.Set<Integer> served = new java.util.HashSet<>();
            load.answers().stream().filter(a -> a.outcome() == FaultLoad.Outcome.OK).forEach(a -> served.add(a.session()));
            if (served.size() == o.users()) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
        throw new IllegalStateException("not every session had a 200 within " + timeout.toSeconds() + " s of the start; see the replicas' logs in "
                + work);
    }

    /** Rewritten every {@code every} seconds; between the second and the third write it is missing for {@code unreadable}. */
    private void tokenFileFault(int every, int unreadable) throws Exception {
        ServiceUnderTest.writeAssertion(tokenFile, "rewritten-0", new MutableClock(Instant.now()));
        sleep(every);
        ServiceUnderTest.writeAssertion(tokenFile, "rewritten-1", new MutableClock(Instant.now()));
        sleep(every - unreadable);
        Files.delete(tokenFile);
        BenchRun.log("federated token file removed");
        sleep(unreadable);
        ServiceUnderTest.writeAssertion(tokenFile, "rewritten-2", new MutableClock(Instant.now()));
        BenchRun.log("federated token file written again");
        sleep(every);
        ServiceUnderTest.writeAssertion(tokenFile, "rewritten-3", new MutableClock(Instant.now()));
    }

    /** One replica after the other: SIGTERM, wait for it to exit, start it with {@code keys}, wait until ready. */
    private void rolling(String keys) throws Exception {
        for (Replica r : replicas) {
            r.terminate();
            r.start(keys);
        }
    }

    private static void sleep(long seconds) throws InterruptedException {
        TimeUnit.SECONDS.sleep(seconds);
    }

    // ---- what runs ----

    private void startDependencies() throws Exception {
        vertx = Vertx.vertx();
        toClose.add(() -> vertx.close().await(10, TimeUnit.SECONDS));
        idp = new EntraStandIn();
        toClose.add(idp);
        idp.tokenLifetime(o.tokenLifetime());
        entraFaults = new EntraFaults(vertx, t0);
        EntraFront front = EntraFront.start(vertx, idp, entraFaults);
        toClose.add(front);
        entraRelay = FaultRelay.start(vertx, "Entra", URI.create(front.authorityHost()).getPort());
        toClose.add(entraRelay);
        drainStandIn();
        tokenFile = work.resolve("azure-identity-token");
        ServiceUnderTest.writeAssertion(tokenFile, "faults", new MutableClock(Instant.now()));
        caFile = idp.writeCaFile(work);
        cluster = DemoCluster.start();
        toClose.add(cluster);
        apiRelay = FaultRelay.start(vertx, "API server", URI.create(cluster.url()).getPort());
        toClose.add(apiRelay);
        if (mode.equals("redis")) {
            redis = RedisSentinelGroup.start();
            toClose.add(redis);
        }
    }

    /** The stand-in keeps every request it served for takeRequest(); drop them, the front counts instead. */
    private void drainStandIn() {
        Thread drain = new Thread(() -> {
            try {
                while (polling) {
                    idp.takeRequest(1, TimeUnit.SECONDS);
                }
            } catch (InterruptedException stopped) {
                Thread.currentThread().interrupt();
            }
        }, "faults-idp-drain");
        drain.setDaemon(true);
        drain.start();
    }

    private void startNginx() throws Exception {
        HttpServer app = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0).setMaxHeaderSize(64 * 1024))
                .requestHandler(req -> {
                    String auth = req.getHeader("Authorization");
                    req.response().end(auth != null && auth.startsWith("Bearer ey") ? APP_WITH_TOKEN : "app: no token");
                }).listen().await(10, TimeUnit.SECONDS);
        toClose.add(() -> app.close().await(10, TimeUnit.SECONDS));
        nginxPort = BenchRun.freePort();
        Path dir = work.resolve("nginx");
        Files.createDirectories(dir);
        String conf = NginxIngress.render(NginxIngress.PROTECTED_APP, dir, "127.0.0.1:" + nginxPort, PUBLIC_UPSTREAM, INTERNAL_UPSTREAM,
                "127.0.0.1:" + app.actualPort(), Map.of("/rbac/", "rbac"));
        Files.writeString(dir.resolve("nginx.conf"), withReplicas(conf, dir));
        String bin = BenchRun.which("nginx");
        nginx = ChildProcess.start("nginx", List.of(bin, "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString(),
                "-e", dir.resolve("error.log").toString()), Map.of(), dir.resolve("nginx.out"));
        toClose.add(nginx);
        nginx.awaitReady(() -> ChildProcess.accepts(nginxPort), Duration.ofSeconds(20));
    }

    /**
     * The two replicas as one upstream each for the internal and the public listener (nginx's defaults: round robin,
     * the next server tried on a connection error), and a log line for every auth subrequest: its answer and which
     * replica gave it, joined to the users' answers by request id.
     */
    private String withReplicas(String conf, Path dir) {
        // max_fails=0: a replica that refused one connection is not shunned for fail_timeout (10 s), or the second replica
        // of a rolling restart, stopped right after the first came back, would leave nginx with no replica it still
        // trusts; every request still moves on to the other replica after a connection error (proxy_next_upstream).
        String upstreams = "    upstream " + INTERNAL_UPSTREAM + " {\n"
                + "        server 127.0.0.1:" + replicas[0].internalPort + " max_fails=0;\n        server 127.0.0.1:" + replicas[1].internalPort
                + " max_fails=0;\n    }\n"
                + "    upstream " + PUBLIC_UPSTREAM + " {\n"
                + "        server 127.0.0.1:" + replicas[0].publicPort + " max_fails=0;\n        server 127.0.0.1:" + replicas[1].publicPort
                + " max_fails=0;\n    }\n"
                + "    log_subrequest on;\n"
                + "    log_format faults_auth '$msec $http_x_request_id \"$upstream_status\" \"$upstream_addr\" \"$upstream_http_retry_after\" "
                + "$request_time';\n\n";
        int server = conf.indexOf("    server {");
        if (server < 0 || !conf.contains("location = /_external-auth")) {
            throw new IllegalStateException("the rendered nginx configuration has no server block or auth location");
        }
        // ingress-nginx's default (max-worker-connections: 16384); the template's 512 is for one browser, and each user
        // here keeps a connection open while its request holds two more (the auth subrequest and the app).
        String withUpstreams = (conf.substring(0, server) + upstreams + conf.substring(server))
                .replace("worker_connections 512;", "worker_connections 16384;");
        return withUpstreams.replaceAll("(location = /_external-auth[^ ]* \\{)", "$1\n            access_log " + dir.resolve("auth.log")
                + " faults_auth;");
    }

    private void startBoth(String keys) throws Exception {
        for (Replica r : replicas) {
            toClose.add(r::stop);
        }
        // One after the other: two JVMs starting at once on a small machine only slow each other down.
        for (Replica r : replicas) {
            r.start(keys);
        }
    }

    private Map<String, String> serviceEnv(Replica r, String keys) {
        String authority = "https://localhost:" + entraRelay.port() + "/";
        Map<String, String> env = new HashMap<>();
        env.put("AZURE_CLIENT_ID", EntraStandIn.CLIENT_ID);
        env.put("AZURE_TENANT_ID", EntraStandIn.TENANT);
        env.put("AZURE_FEDERATED_TOKEN_FILE", tokenFile.toString());
        env.put("AZURE_AUTHORITY_HOST", authority);
        env.put("AKS_AUTH_PROXY_OIDC_DISCOVERY_URL", authority + EntraStandIn.TENANT + "/oauth2/v2.0/.well-known/openid-configuration");
        env.put("AKS_AUTH_PROXY_IDP_CA_FILE", caFile.toString());
        env.put("AKS_AUTH_PROXY_REDIRECT_URL", "http://127.0.0.1:" + nginxPort + "/oauth2/callback");
        env.put("AKS_AUTH_PROXY_COOKIE_SECRETS", keys);
        env.put("AKS_AUTH_PROXY_LISTEN_ADDRESS", "127.0.0.1");
        // Every session here is a sign-in of the stand-in's one user: the per-user limit would (rightly) answer 429.
        env.put("AKS_AUTH_PROXY_AUTH_RATE_BURST", "0");
        env.put("AKS_AUTH_PROXY_SIGN_IN_RATE_BURST", "0");
        env.put("AKS_AUTH_PROXY_SESSION_IDLE_TIMEOUT", o.idleTimeout() + "s");
        env.put("AKS_AUTH_PROXY_LOG_FORMAT", "json");
        // The default (5 s) in the full run, as in a cluster; shorter in the short one.
        env.put("AKS_AUTH_PROXY_SHUTDOWN_DELAY", o.shortRun() ? "2s" : "5s");
        env.put("AKS_AUTH_PROXY_PUBLIC_PORT", String.valueOf(r.publicPort));
        env.put("AKS_AUTH_PROXY_INTERNAL_PORT", String.valueOf(r.internalPort));
        env.put("AKS_AUTH_PROXY_KUBERNETES_API_URL", "https://localhost:" + apiRelay.port());
        env.put("AKS_AUTH_PROXY_KUBERNETES_CA_FILE", cluster.caFile());
        if (mode.equals("redis")) {
            env.put("AKS_AUTH_PROXY_SESSION_STORE", "redis");
            env.put("AKS_AUTH_PROXY_REDIS_SENTINELS", redis.sentinelPorts().stream().map(p -> "127.0.0.1:" + p)
                    .collect(java.util.stream.Collectors.joining(",")));
            env.put("AKS_AUTH_PROXY_REDIS_MASTER_NAME", RedisSentinelGroup.MASTER_NAME);
        }
        try {
            Path profiles = work.resolve("profiles.yaml");
            Files.writeString(profiles, "profiles:\n  - name: rbac\n    scopes: [\"6dae42f8-4368-4678-94ff-3960e28e3630/.default\"]\n    rbac: "
                    + DemoCluster.RULE + "\n");
            env.put("AKS_AUTH_PROXY_CONFIG", profiles.toString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return env;
    }

    /**
     * Every second, each replica's /readyz: how many replicas Kubernetes would keep in the Service; every 5 s, the
     * token requests each replica has made to Entra by its own count (its metrics), which also counts requests that
     * never reached the IdP front (a refused or black-holed connection).
     */
    private void startReadinessPoller() {
        Thread poller = new Thread(() -> {
            long rounds = 0;
            while (polling) {
                long now = (System.nanoTime() - t0) / 1_000_000;
                boolean scrape = rounds++ % 5 == 0;
                for (Replica r : replicas) {
                    if (scrape) {
                        FaultReport.Acquisitions.scrape(now, r.index, r.internalPort).ifPresent(acquisitions::add);
                    }
                    boolean up = true;
                    boolean ready = false;
                    try {
                        ready = READINESS_PROBE.send(java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + r.internalPort + "/readyz"))
                                .timeout(Duration.ofSeconds(5)).build(), java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                    } catch (java.net.http.HttpTimeoutException slow) {
                        // up, but no answer within 5 s: not ready for the kubelet either (its probe times out after 1 s)
                    } catch (IOException down) {
                        up = false;
                    } catch (InterruptedException stop) {
                        return;
                    }
                    readiness.add(new ReadinessSample(now, r.index, up, ready));
                }
                try {
                    TimeUnit.SECONDS.sleep(1);
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }, "faults-readiness");
        poller.setDaemon(true);
        poller.start();
    }

    /** What the chart does on a pod's deletion: its preStop hook and grace period, for the report to set beside the drain. */
    private String chartShutdown() throws IOException {
        Path values = o.projectDir().resolve("helm/aks-auth-proxy/values.yaml");
        Path deployment = o.projectDir().resolve("helm/aks-auth-proxy/templates/deployment.yaml");
        String grace = Files.readAllLines(values).stream().filter(l -> l.startsWith("terminationGracePeriodSeconds:")).findFirst()
                .orElse("terminationGracePeriodSeconds: (not set)");
        List<String> preStop = Files.readAllLines(deployment).stream().filter(l -> l.contains("preStop")).toList();
        return "values.yaml `" + grace.trim() + "`; deployment.yaml " + (preStop.isEmpty() ? "has no preStop hook" : "has a preStop hook");
    }

    // ---- stopping ----

    /** Stops everything started, newest first; safe to call twice (the shutdown hook and the finally block). */
    private synchronized void stopAll() {
        polling = false;
        List<AutoCloseable> reversed = new ArrayList<>(toClose);
        java.util.Collections.reverse(reversed);
        toClose.clear();
        for (AutoCloseable c : reversed) {
            try {
                c.close();
            } catch (Exception e) {
                BenchRun.log("stopping: " + e);
            }
        }
    }

    private void checkTools() throws IOException {
        if (BenchRun.which("nginx") == null) {
            throw new IllegalStateException("the fault harness needs nginx on the PATH: apt-get install nginx libnginx-mod-http-set-misc");
        }
        if (!Files.isRegularFile(o.jar())) {
            throw new IllegalStateException(o.jar() + " does not exist: build it with mvn -B -DskipTests package (bench/faults/run.sh does)");
        }
        try (ZipFile jar = new ZipFile(o.jar().toFile())) {
            if (jar.stream().anyMatch(e -> e.getName().startsWith("no/nav/security/"))) {
                throw new IllegalStateException(o.jar() + " contains the stand-in IdP: it must not");
            }
        }
    }

    private String keysLabel(String keys) {
        return keys.replace(oldKey, "old").replace(newKey, "new");
    }

    private static String newKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }
}
