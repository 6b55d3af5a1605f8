package io.github.aksauthproxy.it;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The protected app in the proxy tests: answers every request with JSON of what it received (method, raw URI,
 * every header in order), and remembers the requests, so a test can prove what did and did not reach it.
 */
final class EchoUpstream implements AutoCloseable {
    private final HttpServer server;
    private final List<JsonObject> received;

    private EchoUpstream(HttpServer server, List<JsonObject> received) {
        this.server = server;
        this.received = received;
    }

    static EchoUpstream start(Vertx vertx) {
        List<JsonObject> received = new CopyOnWriteArrayList<>();
        // An AKS token of a user in 200 groups is more than 8 KB, Vert.x's default header limit.
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0).setMaxHeaderSize(64 * 1024))
                .requestHandler(req -> {
                    JsonArray headers = new JsonArray();
                    req.headers().forEach(h -> headers.add(new JsonArray().add(h.getKey()).add(h.getValue())));
                    JsonObject seen = new JsonObject().put("method", req.method().name()).put("uri", req.uri()).put("headers", headers);
                    received.add(seen);
                    req.response().putHeader("Content-Type", "application/json").putHeader("X-Echo", "upstream").end(seen.encode());
                }).listen().await();
        return new EchoUpstream(server, received);
    }

    List<JsonObject> requests() {
        return List.copyOf(received);
    }

    int port() {
        return server.actualPort();
    }

    /** All values of one header (case-insensitive name) in a recorded request. */
    static List<String> header(JsonObject seen, String name) {
        return seen.getJsonArray("headers").stream().map(JsonArray.class::cast).filter(h -> h.getString(0).equalsIgnoreCase(name))
                .map(h -> h.getString(1)).toList();
    }

    static List<String> headerNames(JsonObject seen) {
        return seen.getJsonArray("headers").stream().map(JsonArray.class::cast).map(h -> h.getString(0)).toList();
    }

    @Override
    public void close() throws Exception {
        server.close().await(5, TimeUnit.SECONDS);
    }
}
