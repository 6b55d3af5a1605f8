package io.github.aksauthproxy.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * Benchmark 6 (bench/README.md): the runtimes the image could ship, side by side. Java 17 (the rig's own {@code java})
 * and Java 25 (Temurin, under /usr/lib/jvm), each plain and with its archive of a training run: AppCDS on 17
 * ({@code -XX:ArchiveClassesAtExit}, then {@code -XX:SharedArchiveFile}), the AOT cache on 25 ({@code -XX:AOTCacheOutput},
 * then {@code -XX:AOTCache}), and on 25 also with compact object headers. For each: the time from process start to
 * /readyz 200 (median of three starts), RSS once ready and idle, and wrk's req/s on {@code /oauth2/auth} in the first
 * seconds after ready (JIT cold) against the same process's figure after that (warm).
 *
 * <p>A training run goes through the real endpoints: real sign-ins against the stand-in IdP's front, then
 * {@code /oauth2/auth} with their sessions, so the archive holds the classes (and on 25 the method profiles) of the
 * path users take. {@link #main} runs the same training for the image build (Dockerfile): no wrk, no nginx.
 */
final class StartupBench {
    static final double READY_TARGET_MS = 1500;
    static final double COLD_RATIO_TARGET = 0.6;
    /** The runtime the Dockerfile ships; its rows carry the targets. */
    static final String IMAGE_RUNTIME = "Java 17 + AppCDS";
    private static final String COMPACT_HEADERS = "-XX:+UseCompactObjectHeaders";

    /** One way to run the jar: a java, the options of the training run that writes its archive (none: plain), and the options that read it. */
    record Runtime(String name, String java, List<String> trainOptions, List<String> runOptions, Path archive) {
        boolean trained() {
            return !trainOptions.isEmpty();
        }
    }

    /** What one runtime gave. {@code trainSeconds}: the training run, archive written; 0 for a plain runtime. */
    record Figures(Runtime runtime, String version, double trainSeconds, long archiveBytes, List<Double> readyMs, long idleRssKib,
                   Wrk.Result cold, Wrk.Result warm) {
        double readyMedianMs() {
            return Report.median(readyMs.stream().mapToDouble(Double::doubleValue).toArray());
        }

        double coldRatio() {
            return cold.rps() / warm.rps();
        }
    }

    private final BenchRun rig;
    private final BenchOptions o;
    private final Report report;

    StartupBench(BenchRun rig, BenchOptions o, Report report) {
        this.rig = rig;
        this.o = o;
        this.report = report;
    }

    /** Seconds of wrk right after ready (JIT cold), then to let it settle, then warm. */
    private int coldSeconds() {
        // Not 1 s in the smoke run either: the first request mints a token, which a busy machine may not finish in 1 s.
        return o.smoke() ? 3 : 10;
    }

    private int settleSeconds() {
        return o.smoke() ? 1 : 5;
    }

    private int warmSeconds() {
        return o.smoke() ? 1 : 5;
    }

    private int trainingLoadSeconds() {
        return o.smoke() ? 1 : 3;
    }

    static List<Runtime> runtimes(String java17, String java25, Path dir) {
        Path cds = dir.resolve("app-17.jsa");
        Path aot = dir.resolve("app-25.aot");
        Path aotCompact = dir.resolve("app-25-compact.aot");
        return List.of(
                new Runtime("Java 17", java17, List.of(), List.of(), null),
                new Runtime(IMAGE_RUNTIME, java17, List.of("-XX:ArchiveClassesAtExit=" + cds), List.of("-XX:SharedArchiveFile=" + cds), cds),
                new Runtime("Java 25", java25, List.of(), List.of(), null),
                new Runtime("Java 25 + AOT cache", java25, List.of("-XX:AOTCacheOutput=" + aot), List.of("-XX:AOTCache=" + aot), aot),
                new Runtime("Java 25 + AOT cache + compact headers", java25, List.of(COMPACT_HEADERS, "-XX:AOTCacheOutput=" + aotCompact),
                        List.of(COMPACT_HEADERS, "-XX:AOTCache=" + aotCompact), aotCompact));
    }

    /** Measures every runtime and adds section 6 and its targets to the report. */
    void run(SignIns.Minter sessions) throws Exception {
        long t0 = System.nanoTime();
        Path dir = rig.work().resolve("runtimes");
        Files.createDirectories(dir);
        List<Figures> all = new ArrayList<>();
        for (Runtime r : runtimes(rig.javaBin(), java25(), dir)) {
            all.add(measure(r, sessions));
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        BenchRun.log(String.format("runtimes: section took %.0f s", seconds));
        report.runtimes(all, coldSeconds(), settleSeconds(), warmSeconds(), seconds);
    }

    private Figures measure(Runtime r, SignIns.Minter sessions) throws Exception {
        String slug = r.name().toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
        String version = BenchRun.run(List.of(r.java(), "-version")).lines().filter(l -> l.contains("Runtime Environment"))
                .findFirst().orElse(r.java()).strip();
        double trainSeconds = 0;
        long archiveBytes = 0;
        if (r.trained()) {
            long t = System.nanoTime();
            train(rig, r.java(), r.trainOptions(), r.archive(), "train-" + slug, trainingLoadSeconds());
            trainSeconds = (System.nanoTime() - t) / 1e9;
            archiveBytes = Files.size(r.archive());
        }
        List<Double> ready = new ArrayList<>();
        long idleRss;
        try (BenchRun.Service first = rig.launch(slug + "-1", r.java(), r.runOptions())) {
            ready.add(first.readyMs());
        }
        try (BenchRun.Service second = rig.launch(slug + "-2", r.java(), r.runOptions())) {
            ready.add(second.readyMs());
            TimeUnit.SECONDS.sleep(1);
            idleRss = second.process().rssKib();
        }
        Wrk.Result cold;
        Wrk.Result warm;
        try (BenchRun.Service third = rig.launch(slug + "-3", r.java(), r.runOptions())) {
            ready.add(third.readyMs());
            // A session this process has never seen: its first request mints the token at the IdP front, as after a rollout.
            List<String> cookie = List.of("Cookie: " + sessions.newSessionCookie());
            Wrk wrk = new Wrk(rig.work(), o.wrkThreads(), o.connections());
            cold = wrk.run(slug + "-cold", third.authUrl(), cookie, coldSeconds());
            wrk.run(slug + "-settle", third.authUrl(), cookie, settleSeconds());
            warm = wrk.run(slug + "-warm", third.authUrl(), cookie, warmSeconds());
        }
        Figures f = new Figures(r, version, trainSeconds, archiveBytes, ready, idleRss, cold, warm);
        BenchRun.log(String.format("%s: ready after %.0f ms (median), idle RSS %d MiB, first %d s %.0f req/s, warm %.0f req/s (%.2fx)",
                r.name(), f.readyMedianMs(), idleRss / 1024, coldSeconds(), cold.rps(), warm.rps(), f.coldRatio()));
        return f;
    }

    /**
     * A training run: the jar with {@code trainOptions}, real sign-ins, {@code /oauth2/auth} with their sessions for
     * {@code loadSeconds}, the probes and the metrics; then a SIGTERM, after which the JVM writes {@code archive}
     * (Java 25 starts a second JVM for that and exits when it is done).
     */
    static void train(BenchRun rig, String java, List<String> trainOptions, Path archive, String name, int loadSeconds) throws Exception {
        Files.deleteIfExists(archive);
        BenchRun.Service svc = rig.launch(name, java, trainOptions);
        try {
            SignIns signIns = rig.signIns(svc);
            List<String> cookies = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                cookies.add(SignIns.cookieHeader(signIns.signIn()));
            }
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
            String internal = svc.authUrl().replace("/oauth2/auth", "");
            for (String path : List.of("/readyz", "/healthz", "/metrics")) {
                expect200(http, internal + path, null);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(loadSeconds);
            AtomicLong answered = new AtomicLong();
            AtomicReference<Exception> failed = new AtomicReference<>();
            List<Thread> threads = new ArrayList<>();
            for (String cookie : cookies) {
                Thread t = new Thread(() -> {
                    try {
                        do {
                            expect200(http, svc.authUrl(), cookie);
                            answered.incrementAndGet();
                        } while (System.nanoTime() < deadline);
                    } catch (Exception e) {
                        failed.compareAndSet(null, e);
                    }
                }, "bench-train-" + threads.size());
                t.start();
                threads.add(t);
            }
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(loadSeconds + 60L));
            }
            if (failed.get() != null) {
                throw new IllegalStateException("training run " + name + ": " + failed.get().getMessage() + "; see " + svc.process().log,
                        failed.get());
            }
            BenchRun.log(String.format("%s: %d sign-ins, %d /oauth2/auth answers", name, cookies.size(), answered.get()));
        } finally {
            svc.process().process.destroy();
            // Generous: the archive is written on the way out (on Java 25 by a second JVM, several seconds on a busy machine).
            if (!svc.process().process.waitFor(300, TimeUnit.SECONDS)) {
                svc.process().process.destroyForcibly();
            }
        }
        if (!Files.isRegularFile(archive) || Files.size(archive) == 0) {
            throw new IllegalStateException("training run " + name + " wrote no archive " + archive + ":\n" + svc.process().tail());
        }
    }

    private static void expect200(HttpClient http, String url, String cookie) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        int status = http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        if (status != 200) {
            throw new IllegalStateException(url + " answered " + status);
        }
    }

    /** Temurin 25 under /usr/lib/jvm (the machine's other JDK), or JAVA25_HOME. */
    static String java25() throws IOException {
        String home = System.getenv("JAVA25_HOME");
        if (home != null && Files.isExecutable(Path.of(home, "bin", "java"))) {
            return Path.of(home, "bin", "java").toString();
        }
        try (Stream<Path> jdks = Files.list(Path.of("/usr/lib/jvm"))) {
            return jdks.filter(d -> d.getFileName().toString().matches(".*-25([.-].*)?")).map(d -> d.resolve("bin/java"))
                    .filter(Files::isExecutable).sorted().findFirst().map(Path::toString)
                    .orElseThrow(() -> new IllegalStateException("no Java 25 under /usr/lib/jvm (set JAVA25_HOME): benchmark 6 compares it"));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalStateException("no /usr/lib/jvm and no JAVA25_HOME: benchmark 6 needs a Java 25");
        }
    }

    /** This section alone, written to {@code runtimes.md} in the work directory: for trying it out, not for BENCHMARKS.md. */
    private static void section(boolean smoke) throws Exception {
        Path dir = Path.of("").toAbsolutePath();
        BenchOptions o = smoke ? BenchOptions.smoke(dir) : BenchOptions.full(dir);
        BenchRun.withIdp(o, rig -> {
            Map<String, String> signedIn;
            try (BenchRun.Service svc = rig.launch("service-1", rig.javaBin(), List.of())) {
                signedIn = rig.signIns(svc).signIn();
            }
            Report report = new Report(o);
            new StartupBench(rig, o, report).run(rig.minter(signedIn));
            Files.writeString(rig.work().resolve("runtimes.md"), report.markdown());
            BenchRun.log("wrote " + rig.work().resolve("runtimes.md"));
        });
    }

    /**
     * For the image build: {@code StartupBench --train ARCHIVE --jar JAR [--java-opts "..."]} runs one training run of
     * the jar with this JVM (the image's own java) against the stand-in IdP on loopback, writing the AOT cache (or,
     * on Java 17, the AppCDS archive) named by ARCHIVE's extension. {@code --java-opts} are the runtime's own flags,
     * which the archive must be made with (compact object headers, for one).
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> a = new java.util.HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i], args[i + 1]);
        }
        if (a.containsKey("--section")) {
            section(a.get("--section").equals("smoke"));
            System.exit(0);
        }
        if (!a.containsKey("--train") || !a.containsKey("--jar") || args.length % 2 != 0) {
            System.err.println("usage: StartupBench --train ARCHIVE(.aot|.jsa) --jar JAR [--java-opts \"...\"] | --section smoke|full");
            System.exit(2);
        }
        Path archive = Path.of(a.get("--train")).toAbsolutePath();
        List<String> options = new ArrayList<>(a.getOrDefault("--java-opts", "").isBlank() ? List.of()
                : List.of(a.get("--java-opts").trim().split("\\s+")));
        options.add(archive.toString().endsWith(".jsa") ? "-XX:ArchiveClassesAtExit=" + archive : "-XX:AOTCacheOutput=" + archive);
        BenchOptions o = BenchOptions.full(Path.of("").toAbsolutePath()).withJar(Path.of(a.get("--jar")));
        BenchRun.withIdp(o, rig -> train(rig, rig.javaBin(), options, archive, "train", 3));
        BenchRun.log("wrote " + archive + " (" + Files.size(archive) / 1024 / 1024 + " MiB)");
        System.exit(0);
    }
}
