package io.github.aksauthproxy.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * CPU time a process and its children (nginx's master and workers) have used, from {@code /proc/<pid>/stat}: user
 * plus system time of every thread, in the kernel's clock ticks ({@code getconf CLK_TCK}, 100 on Linux).
 */
final class ProcessCpu {
    private static final long NANOS_PER_TICK = 1_000_000_000L / clockTicks();

    private final ProcessHandle root;

    private ProcessCpu(ProcessHandle root) {
        this.root = root;
    }

    static ProcessCpu of(ProcessHandle root) {
        return new ProcessCpu(root);
    }

    /** utime + stime of the process and of its descendants alive now, in nanoseconds. */
    long nanos() {
        return Stream.concat(Stream.of(root), root.descendants()).mapToLong(ProcessCpu::ticks).sum() * NANOS_PER_TICK;
    }

    private static long ticks(ProcessHandle p) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", String.valueOf(p.pid()), "stat"));
        } catch (NoSuchFileException gone) {
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Fields after the command name, which is in parentheses and may hold spaces: [0] is field 3 (state), so
        // utime (field 14) is [11] and stime (field 15) is [12] (proc(5)).
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static long clockTicks() {
        try {
            return Long.parseLong(BenchRun.run(List.of("getconf", "CLK_TCK")).strip());
        } catch (IOException | RuntimeException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }
}
