package io.github.aksauthproxy.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} (Debian package redis-server) on a free loopback port, in its own temporary directory,
 * with persistence off. It can be stopped and started again on the same port, or killed, to test what the service does
 * while Redis is away. {@link #close()} stops it and removes the directory.
 */
public final class RedisProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
    private final Path binary;
    private final Path dir;
    private final int port;
    private final List<String> extraArgs;
    private Process process;

    private RedisProcess(Path binary, int port, List<String> extraArgs) throws IOException {
        this.binary = binary;
        this.dir = Files.createTempDirectory("redis-" + port + "-");
        this.port = port;
        this.extraArgs = List.copyOf(extraArgs);
    }

    /** Starts a server on a new free loopback port; {@code extraArgs} are more {@code --name value} options. */
    public static RedisProcess start(String... extraArgs) throws IOException {
        RedisProcess p = new RedisProcess(RequiredBinary.find("redis-server", "redis-server"), ServiceUnderTest.freePort(), List.of(extraArgs));
        p.startAgain();
        return p;
    }

    /** Starts a server on a given port (one a test reserved while nothing listened there). */
    public static RedisProcess startOn(int port, String... extraArgs) throws IOException {
        RedisProcess p = new RedisProcess(RequiredBinary.find("redis-server", "redis-server"), port, List.of(extraArgs));
        p.startAgain();
        return p;
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:<port>} */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public Path dir() {
        return dir;
    }

    /** Starts the server (again) on the same port and waits until it answers PING. */
    public synchronized void startAgain() throws IOException {
        if (process != null && process.isAlive()) {
            return;
        }
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--dir", dir.toString(), "--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "no",
                "--logfile", dir.resolve("redis.log").toString()));
        cmd.addAll(extraArgs);
        process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
        awaitPong(port, START_TIMEOUT, process);
    }

    /**
     * Starts the server again with nothing in it. Persistence is off, but a replica keeps the copy its last full sync
     * wrote ({@code dump.rdb}, Redis's default {@code rdb-del-sync-files no}) and would load it: that file goes first.
     */
    public synchronized void startEmpty() throws IOException {
        Files.deleteIfExists(dir.resolve("dump.rdb"));
        startAgain();
    }

    /** Stops the server (SIGTERM) and waits for it to exit. */
    public synchronized void stop() {
        end(false);
    }

    /** Kills the server at once (SIGKILL), as a crashed node. */
    public synchronized void kill() {
        end(true);
    }

    /**
     * Sends the running server a signal by name ({@code STOP} freezes it: connections stay open and are never answered,
     * like a host that stopped answering; {@code CONT} lets it go on).
     */
    public synchronized void signal(String name) throws IOException, InterruptedException {
        if (process != null) {
            signal(process.toHandle(), name);
        }
    }

    static void signal(ProcessHandle p, String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(p.pid())).redirectErrorStream(true).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill -" + name + " " + p.pid() + " failed");
        }
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    private void end(boolean force) {
        if (process == null) {
            return;
        }
        if (force) {
            process.destroyForcibly();
        } else {
            process.destroy();
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** Runs one command on the server directly (never through the code under test) and returns the raw reply. */
    /**
     * Changes the byte at {@code offset} of the string under {@code key} to another value (a tampered record); writing
     * a fixed byte would leave the value as it was whenever that byte happened to be there already (1 run in 256).
     * Returns SETRANGE's reply: the string's length.
     */
    public String changeByte(String key, int offset) {
        String current = command("GETRANGE", key, String.valueOf(offset), String.valueOf(offset));
        return command("SETRANGE", key, String.valueOf(offset), current.equals("X") ? "Y" : "X");
    }

    public String command(String... args) {
        return RespClient.call(port, args);
    }

    @Override
    public void close() {
        stop();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temp directory left behind is harmless
        }
    }

    static void awaitPong(int port, Duration timeout, Process process) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            if (process != null && !process.isAlive()) {
                throw new IOException("redis on port " + port + " exited at start with " + process.exitValue());
            }
            try {
                if (RespClient.call(port, "PING").equals("+PONG")) {
                    return;
                }
            } catch (UncheckedIOException e) {
                last = e.getCause();
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }
        throw new IOException("redis on port " + port + " did not answer PING within " + timeout, last);
    }

    /** A minimal RESP client for test set-up: one command per connection, the reply as RESP text. */
    public static final class RespClient {
        private RespClient() {
        }

        public static String call(int port, String... args) {
            return callAs(port, null, null, args);
        }

        /** Authenticates as {@code user} (when not null) first, on the same connection. */
        public static String callAs(int port, String user, String password, String... args) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
                s.setSoTimeout(5000);
                OutputStream out = s.getOutputStream();
                if (user != null) {
                    write(out, "AUTH", user, password);
                    String ok = readReply(s.getInputStream());
                    if (!ok.equals("+OK")) {
                        throw new IOException("AUTH as " + user + " failed: " + ok);
                    }
                }
                write(out, args);
                return readReply(s.getInputStream());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static void write(OutputStream out, String... args) throws IOException {
            StringBuilder cmd = new StringBuilder("*").append(args.length).append("\r\n");
            for (String a : args) {
                byte[] b = a.getBytes(StandardCharsets.UTF_8);
                cmd.append('$').append(b.length).append("\r\n").append(a).append("\r\n");
            }
            out.write(cmd.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        /** One reply: a status or error line, an integer, a bulk string, or an array (its items joined by newlines). */
        static String readReply(InputStream in) throws IOException {
            String line = readLine(in);
            switch (line.charAt(0)) {
                case '$': {
                    int len = Integer.parseInt(line.substring(1));
                    if (len < 0) {
                        return "(nil)";
                    }
                    byte[] b = in.readNBytes(len + 2);
                    return new String(b, 0, len, StandardCharsets.ISO_8859_1);   // byte for byte: values may be binary
                }
                case '*': {
                    int n = Integer.parseInt(line.substring(1));
                    List<String> items = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        items.add(readReply(in));
                    }
                    return String.join("\n", items);
                }
                default:
                    return line;
            }
        }

        private static String readLine(InputStream in) throws IOException {
            StringBuilder sb = new StringBuilder();
            int c;
            while ((c = in.read()) != -1) {
                if (c == '\r') {
                    in.read();
                    return sb.toString();
                }
                sb.append((char) c);
            }
            throw new IOException("connection closed before a reply");
        }
    }
}
