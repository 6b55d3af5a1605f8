package io.github.aksauthproxy.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A TCP relay on loopback in front of a dependency of the service (the IdP front, the Kubernetes API server), which
 * the fault harness switches between passing bytes through, refusing connections (its listener closed, so the
 * kernel answers RST) and a black hole (connections accepted, bytes read and never answered). TLS passes through it
 * untouched, so the dependency's certificate and names stay what the service expects.
 */
final class FaultRelay implements AutoCloseable {
    enum Mode { UP, REFUSE, BLACK_HOLE }

    private final Vertx vertx;
    private final String name;
    private final int targetPort;
    private final NetClient client;
    private final Set<NetSocket> open = ConcurrentHashMap.newKeySet();
    private volatile NetServer server;
    private volatile Mode mode = Mode.UP;
    private final int port;

    private FaultRelay(Vertx vertx, String name, int targetPort, int port) {
        this.vertx = vertx;
        this.name = name;
        this.targetPort = targetPort;
        this.port = port;
        this.client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(5_000));
    }

    static FaultRelay start(Vertx vertx, String name, int targetPort) throws Exception {
        FaultRelay relay = new FaultRelay(vertx, name, targetPort, BenchRun.freePort());
        relay.listen();
        return relay;
    }

    int port() {
        return port;
    }

    Mode mode() {
        return mode;
    }

    /** Switches the relay; every connection open so far is closed, as a restarted or unplugged dependency does. */
    synchronized void set(Mode next) throws Exception {
        if (next == mode) {
            return;
        }
        Mode previous = mode;
        mode = next;
        closeOpen();
        if (next == Mode.REFUSE) {
            server.close().await(10, TimeUnit.SECONDS);
        } else if (previous == Mode.REFUSE) {
            listen();
        }
        BenchRun.log(name + " relay: " + next);
    }

    private void listen() throws Exception {
        // The same port every time: the service was configured with it.
        server = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(port).setReuseAddress(true))
                .connectHandler(this::accept).listen().await(10, TimeUnit.SECONDS);
    }

    private void accept(NetSocket in) {
        open.add(in);
        in.closeHandler(x -> open.remove(in));
        if (mode == Mode.BLACK_HOLE) {
            in.handler(ignored -> { });
            return;
        }
        in.pause();
        client.connect(targetPort, "127.0.0.1").onSuccess(out -> {
            open.add(out);
            out.closeHandler(x -> {
                open.remove(out);
                in.close();
            });
            in.closeHandler(x -> {
                open.remove(in);
                out.close();
            });
            in.pipeTo(out);
            out.pipeTo(in);
            in.resume();
        }).onFailure(e -> in.close());
    }

    private void closeOpen() {
        for (NetSocket s : Set.copyOf(open)) {
            s.close();
        }
        open.clear();
    }

    @Override
    public void close() throws Exception {
        closeOpen();
        NetServer s = server;
        Future<Void> closing = s == null || mode == Mode.REFUSE ? Future.succeededFuture() : s.close();
        Future.join(closing, client.close()).await(10, TimeUnit.SECONDS);
    }
}
