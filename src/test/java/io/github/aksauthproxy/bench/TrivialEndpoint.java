package io.github.aksauthproxy.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The platform's limit for the warm path: a plain Vert.x HTTP server that answers every request with 200 and a fixed
 * list of headers (the ones the service's {@code /oauth2/auth} sent, same names and values, so the same sizes). It
 * runs in its own JVM, started like the service, on one event loop like the service's internal listener.
 *
 * <p>Arguments: port, file of {@code Name: value} lines.
 */
public final class TrivialEndpoint {
    private TrivialEndpoint() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        List<String[]> headers = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(args[1]))) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.add(new String[] {line.substring(0, colon), line.substring(colon + 1).trim()});
            }
        }
        Vertx vertx = Vertx.vertx();
        vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port)
                        .setMaxHeaderSize(64 * 1024).setMaxInitialLineLength(16 * 1024))
                .requestHandler(req -> {
                    var r = req.response();
                    for (String[] h : headers) {
                        r.headers().add(h[0], h[1]);
                    }
                    r.setStatusCode(200).end();
                })
                .listen().await();
        System.out.println("trivial endpoint listening on 127.0.0.1:" + port);
        new CountDownLatch(1).await();
    }
}
