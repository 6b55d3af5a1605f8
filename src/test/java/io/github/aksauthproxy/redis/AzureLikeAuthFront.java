package io.github.aksauthproxy.redis;

import com.nimbusds.jwt.JWTParser;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP front for a redis-server that behaves as Azure does with Entra tokens: it reads the token each
 * connection last sent in {@code AUTH} (or {@code HELLO ... AUTH}) and closes the connection once that token's
 * {@code exp} has passed. It counts the connections it accepted and closed, and the AUTHs it saw.
 */
public final class AzureLikeAuthFront implements AutoCloseable {
    private final ServerSocket listener;
    private final int redisPort;
    private final Map<Socket, Instant> deadlines = new ConcurrentHashMap<>();
    private final Map<Socket, AtomicInteger> authsPerConnection = new ConcurrentHashMap<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger closedForExpiry = new AtomicInteger();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean open = true;

    public AzureLikeAuthFront(int redisPort) throws IOException {
        this.redisPort = redisPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        start("front-accept", this::acceptLoop);
        start("front-expiry", this::expiryLoop);
    }

    public int port() {
        return listener.getLocalPort();
    }

    public int accepted() {
        return accepted.get();
    }

    public int closedForExpiry() {
        return closedForExpiry.get();
    }

    /** AUTHs seen on each connection still open. */
    public List<Integer> authsPerOpenConnection() {
        return authsPerConnection.values().stream().map(AtomicInteger::get).toList();
    }

    private void start(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    private void acceptLoop() {
        while (open) {
            try {
                Socket client = listener.accept();
                accepted.incrementAndGet();
                Socket server = new Socket();
                server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), redisPort), 2000);
                authsPerConnection.put(client, new AtomicInteger());
                start("front-up", () -> clientToServer(client, server));
                start("front-down", () -> pump(server, client));
            } catch (IOException e) {
                // closed listener, or redis not there: the client sees its connection drop
            }
        }
    }

    private void expiryLoop() {
        while (open) {
            Instant now = Instant.now();
            deadlines.forEach((socket, exp) -> {
                if (!now.isBefore(exp)) {
                    closedForExpiry.incrementAndGet();
                    closeQuietly(socket);
                }
            });
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void clientToServer(Socket client, Socket server) {
        try (client; server) {
            InputStream in = new BufferedInputStream(client.getInputStream());
            OutputStream out = server.getOutputStream();
            while (true) {
                ByteArrayOutputStream raw = new ByteArrayOutputStream();
                List<String> command = readCommand(in, raw);
                if (command == null) {
                    return;
                }
                token(command).ifPresent(t -> {
                    deadlines.put(client, expiry(t));
                    authsPerConnection.get(client).incrementAndGet();
                });
                out.write(raw.toByteArray());
                out.flush();
            }
        } catch (IOException e) {
            // connection closed
        } finally {
            deadlines.remove(client);
            authsPerConnection.remove(client);
        }
    }

    private static void pump(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
        } catch (IOException e) {
            // either side closed
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    /** The password of {@code AUTH [user] pass} or {@code HELLO <v> AUTH user pass ...}. */
    private static java.util.Optional<String> token(List<String> c) {
        String name = c.get(0).toUpperCase(Locale.ROOT);
        if (name.equals("AUTH") && c.size() >= 2) {
            return java.util.Optional.of(c.get(c.size() - 1));
        }
        if (name.equals("HELLO")) {
            for (int i = 1; i + 2 < c.size(); i++) {
                if (c.get(i).equalsIgnoreCase("AUTH")) {
                    return java.util.Optional.of(c.get(i + 2));
                }
            }
        }
        return java.util.Optional.empty();
    }

    private static Instant expiry(String token) {
        try {
            return JWTParser.parse(token).getJWTClaimsSet().getExpirationTime().toInstant();
        } catch (java.text.ParseException | RuntimeException e) {
            return Instant.EPOCH;   // not a token: Azure would refuse it, so the connection ends at once
        }
    }

    /** One RESP command (an array of bulk strings), also copied byte for byte to {@code raw}; null at end of stream. */
    private static List<String> readCommand(InputStream in, ByteArrayOutputStream raw) throws IOException {
        String header = line(in, raw);
        if (header == null) {
            return null;
        }
        if (header.charAt(0) != '*') {
            return List.of(header.trim().split(" ")[0]);   // an inline command
        }
        int n = Integer.parseInt(header.substring(1));
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String len = line(in, raw);
            byte[] b = in.readNBytes(Integer.parseInt(len.substring(1)) + 2);
            raw.write(b);
            parts.add(new String(b, 0, b.length - 2, StandardCharsets.UTF_8));
        }
        return parts;
    }

    private static String line(InputStream in, ByteArrayOutputStream raw) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            raw.write(c);
            if (c == '\n') {
                return sb.toString().replace("\r", "");
            }
            sb.append((char) c);
        }
        return null;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        open = false;
        listener.close();
        deadlines.keySet().forEach(AzureLikeAuthFront::closeQuietly);
        threads.forEach(Thread::interrupt);
    }
}
