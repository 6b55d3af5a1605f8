package io.github.aksauthproxy.it;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SelfSignedCertificate;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * A small HTTPS server on loopback with a certificate for {@code localhost} made for the test, recording every
 * request it gets (headers and the whole body). Tests give it the answer: an upstream echo, or an Entra-style
 * error body from a token endpoint.
 */
public final class LoopbackHttpsServer implements AutoCloseable {
    /** One request as the server received it. */
    public record Received(String method, String uri, MultiMap headers, String body) {
    }

    private final Vertx vertx = Vertx.vertx();
    private final SelfSignedCertificate certificate = SelfSignedCertificate.create("localhost");
    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();

    /** @param answer writes the response to a request whose body has fully arrived */
    public LoopbackHttpsServer(BiConsumer<HttpServerRequest, Received> answer) throws Exception {
        this.server = vertx.createHttpServer(new HttpServerOptions().setSsl(true).setKeyCertOptions(certificate.keyCertOptions())
                        .setHost("127.0.0.1").setPort(0))
                .requestHandler(req -> req.body().onSuccess(body -> {
                    Received r = new Received(req.method().name(), req.uri(), MultiMap.caseInsensitiveMultiMap().addAll(req.headers()),
                            body.toString());
                    received.add(r);
                    answer.accept(req, r);
                }))
                .listen().await(10, TimeUnit.SECONDS);
    }

    /** The base URL, by the name its certificate carries. */
    public String url() {
        return "https://localhost:" + server.actualPort();
    }

    /** PEM of the server's certificate, for a CA file setting. */
    public Path caFile() {
        return Path.of(certificate.certificatePath());
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    @Override
    public void close() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
        certificate.delete();
    }
}
