package io.github.aksauthproxy.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs wrk (Debian's package) with {@code --latency} and reads its figures. */
final class Wrk {
    private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern TOTAL = Pattern.compile("(\\d+) requests in");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)");
    private static final Pattern SOCKET = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern PERCENTILE = Pattern.compile("^\\s+(50|99)(?:\\.0+)?%\\s+([0-9.]+)(us|ms|s|m)\\s*$", Pattern.MULTILINE);

    /**
     * One wrk run: requests per second, median and 99th percentile latency in milliseconds; and, when measured, the
     * CPU time the answering process used per request, in microseconds (NaN when not measured).
     */
    record Result(double rps, double p50Ms, double p99Ms, long requests, String socketErrors, double cpuUsPerRequest) {
        Result withCpu(long cpuNanos) {
            return new Result(rps, p50Ms, p99Ms, requests, socketErrors, cpuNanos / 1e3 / requests);
        }
    }

    private final Path logDir;
    private final int threads;
    private final int connections;

    Wrk(Path logDir, int threads, int connections) {
        this.logDir = logDir;
        this.threads = threads;
        this.connections = connections;
    }

    /** Runs wrk and reads the CPU time {@code answering} used over the run (before wrk starts, after it ends). */
    Result run(String label, String url, List<String> headers, int seconds, ProcessCpu answering) throws IOException, InterruptedException {
        long before = answering.nanos();
        Result r = run(label, url, headers, seconds);
        return r.withCpu(answering.nanos() - before);
    }

    Result run(String label, String url, List<String> headers, int seconds) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("wrk", "-t" + threads, "-c" + connections, "-d" + seconds + "s", "--latency"));
        for (String h : headers) {
            cmd.add("-H");
            cmd.add(h);
        }
        cmd.add(url);
        Path out = logDir.resolve("wrk-" + label + ".txt");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(seconds + 60L, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("wrk did not finish: " + label);
        }
        String text = Files.readString(out);
        return parse(label, text);
    }

    static Result parse(String label, String text) {
        Matcher rps = RPS.matcher(text);
        Matcher total = TOTAL.matcher(text);
        if (!rps.find() || !total.find()) {
            throw new IllegalStateException("wrk printed no figures for " + label + ":\n" + text);
        }
        Matcher non2xx = NON_2XX.matcher(text);
        if (non2xx.find()) {
            throw new IllegalStateException(label + ": " + non2xx.group(1) + " answers were not 2xx, so these figures measure "
                    + "something else; see the service and nginx logs.\n" + text);
        }
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        Matcher pct = PERCENTILE.matcher(text);
        while (pct.find()) {
            double ms = toMillis(Double.parseDouble(pct.group(2)), pct.group(3));
            if (pct.group(1).equals("50")) {
                p50 = ms;
            } else {
                p99 = ms;
            }
        }
        Matcher socket = SOCKET.matcher(text);
        String errors = socket.find() ? "connect " + socket.group(1) + ", read " + socket.group(2) + ", write " + socket.group(3)
                + ", timeout " + socket.group(4) : "none";
        long requests = Long.parseLong(total.group(1));
        if (requests == 0 || Double.isNaN(p50) || Double.isNaN(p99)) {
            throw new IllegalStateException("wrk made no requests or printed no latency distribution for " + label + ":\n" + text);
        }
        return new Result(Double.parseDouble(rps.group(1)), p50, p99, requests, errors, Double.NaN);
    }

    private static double toMillis(double v, String unit) {
        return switch (unit) {
            case "us" -> v / 1000;
            case "ms" -> v;
            case "s" -> v * 1000;
            default -> v * 60_000;
        };
    }
}
