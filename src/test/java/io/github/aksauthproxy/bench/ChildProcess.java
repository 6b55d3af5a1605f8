package io.github.aksauthproxy.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** A process the rig started (the service jar, the trivial endpoint, nginx), its output in a log file. */
final class ChildProcess implements AutoCloseable {
    final String name;
    final Process process;
    final long startedNanos;
    final Path log;

    private ChildProcess(String name, Process process, long startedNanos, Path log) {
        this.name = name;
        this.process = process;
        this.startedNanos = startedNanos;
        this.log = log;
    }

    static ChildProcess start(String name, List<String> command, Map<String, String> env, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("AZURE_") || k.startsWith("AKS_") || k.equals("JAVA_TOOL_OPTIONS"));
        pb.environment().putAll(env);
        long t0 = System.nanoTime();
        return new ChildProcess(name, pb.start(), t0, log);
    }

    /** Waits until {@code ready} holds (polling every 10 ms); returns the time from process start. */
    Duration awaitReady(Callable<Boolean> ready, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + " before it was ready:\n" + tail());
            }
            boolean ok;
            try {
                ok = ready.call();
            } catch (IOException notYet) {
                ok = false;
            }
            if (ok) {
                return Duration.ofNanos(System.nanoTime() - startedNanos);
            }
            TimeUnit.MILLISECONDS.sleep(10);
        }
        throw new IllegalStateException(name + " was not ready within " + timeout + ":\n" + tail());
    }

    static boolean accepts(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        }
    }

    /** Resident set size in KiB, from /proc. */
    long rssKib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS for " + name);
    }

    /** CPU time the process used so far (user and system), in ms, from /proc (clock ticks of 10 ms). */
    long cpuMillis() throws IOException {
        String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // After the name: state is field 3 of stat(5), utime 14 and stime 15.
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
    }

    String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
