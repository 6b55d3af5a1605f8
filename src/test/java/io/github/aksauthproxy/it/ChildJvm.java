package io.github.aksauthproxy.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A main class run in a JVM of its own with the test class path, its output in a file: for what only a real process
 * shows (how it stops on SIGTERM, what it prints on the way).
 */
public final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final Path output;

    private ChildJvm(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /** @param environment replaces the inherited environment when {@code clean}, else is added to it */
    public static ChildJvm start(Class<?> main, List<String> args, Map<String, String> environment, boolean clean, Path dir)
            throws IOException {
        Path out = dir.resolve(main.getSimpleName() + "-output.log");
        List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
        if (clean) {
            pb.environment().clear();
        }
        pb.environment().putAll(environment);
        return new ChildJvm(pb.start(), out);
    }

    public Process process() {
        return process;
    }

    public String output() {
        try {
            return Files.readString(output);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    /** Waits until the output contains {@code text}; fails if the process exits first or the time is up. */
    public void awaitOutput(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (output().contains(text)) {
                return;
            }
            if (!process.isAlive()) {
                throw new AssertionError("exited with " + process.exitValue() + " before writing " + text + ":\n" + output());
            }
            process.waitFor(100, TimeUnit.MILLISECONDS);
        }
        throw new AssertionError("no " + text + " within " + timeout + ":\n" + output());
    }

    /** Sends SIGTERM and waits at most {@code limit}; returns how long the process took to exit, or fails. */
    public Duration sigterm(Duration limit) throws InterruptedException {
        long sent = System.nanoTime();
        process.destroy();
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("still running " + limit + " after SIGTERM:\n" + output());
        }
        return Duration.ofNanos(System.nanoTime() - sent);
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
