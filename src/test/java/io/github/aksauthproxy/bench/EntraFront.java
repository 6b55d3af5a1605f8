package io.github.aksauthproxy.bench;

import io.github.aksauthproxy.it.EntraLikeHttpClient;
import io.github.aksauthproxy.it.EntraStandIn;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.TrustOptions;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509KeyManager;

/**
 * The benchmark rig's Entra: an HTTPS server on loopback in front of the stand-in IdP (mock-oauth2-server), for the
 * real jar, which cannot use the test-only MSAL HTTP client. It forwards every request unchanged (the Host header
 * too, so the IdP's discovery document, issuer and endpoints all name this front) and adds Entra's
 * {@code client_info} to token responses exactly as {@link EntraLikeHttpClient} does. It presents the stand-in's own
 * certificate, so {@code EntraStandIn.writeCaFile} is the CA file for both.
 *
 * <p>It is also where the benchmarks count token requests: every POST to a {@code /token} path, by grant type, and
 * how many were open at once. And it is where Entra's latency is: each token request is answered {@link #latency}
 * later than the stand-in answers it (a timer, so waiting costs no thread and no CPU); other requests (discovery,
 * keys, the authorize page) are not delayed.
 */
final class EntraFront implements AutoCloseable {
    private final HttpClient idp;
    private final int idpPort;
    private final HttpServer server;
    private final Map<String, AtomicLong> tokenRequests = new ConcurrentHashMap<>();
    private final AtomicInteger tokenRequestsOpen = new AtomicInteger();
    private final AtomicInteger peakTokenRequestsOpen = new AtomicInteger();
    private final AtomicLong connections = new AtomicLong();
    private final Vertx vertx;
    private final Interceptor interceptor;
    private volatile Duration latency = Duration.ZERO;

    /**
     * Sees every request after it was counted, before it is passed on (the fault harness's injected faults): it may
     * answer the request itself, delay it, or let it pass at once.
     */
    interface Interceptor {
        Interceptor NONE = (in, body) -> Future.succeededFuture(false);

        /** @return true when it answered {@code in} itself; false (perhaps later) to pass it on to the IdP */
        Future<Boolean> intercept(HttpServerRequest in, Buffer body);

        /** The IdP's 200 answer to a token request of {@code grantType}, as the service receives it. */
        default void answered(String grantType, String answer) {
        }
    }

    private EntraFront(Vertx vertx, HttpClient idp, int idpPort, HttpServer server, Interceptor interceptor) {
        this.vertx = vertx;
        this.idp = idp;
        this.idpPort = idpPort;
        this.server = server;
        this.interceptor = interceptor;
    }

    static EntraFront start(Vertx vertx, EntraStandIn standIn) throws Exception {
        return start(vertx, standIn, Interceptor.NONE);
    }

    static EntraFront start(Vertx vertx, EntraStandIn standIn, Interceptor interceptor) throws Exception {
        KeyStore ks = standIn.ssl().getSslKeystore().getKeyStore();
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, standIn.ssl().getSslKeystore().getKeyPassword().toCharArray());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        HttpClient idp = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustOptions(TrustOptions.wrap(tmf.getTrustManagers()[0]))
                .setKeepAlive(true), new PoolOptions().setHttp1MaxSize(64).setMaxWaitQueueSize(-1));
        int idpPort = standIn.server.baseUrl().port();
        EntraFront[] self = new EntraFront[1];
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setSsl(true).setHost("127.0.0.1").setPort(0)
                        .setKeyCertOptions(KeyCertOptions.wrap((X509KeyManager) kmf.getKeyManagers()[0])))
                .requestHandler(req -> self[0].forward(req))
                .connectionHandler(c -> self[0].connections.incrementAndGet())
                .listen().await(20, TimeUnit.SECONDS);
        self[0] = new EntraFront(vertx, idp, idpPort, server, interceptor);
        return self[0];
    }

    /** Like Entra's {@code https://login.microsoftonline.com/}. */
    String authorityHost() {
        return "https://localhost:" + server.actualPort() + "/";
    }

    String discoveryUrl() {
        return authorityHost() + EntraStandIn.TENANT + "/oauth2/v2.0/.well-known/openid-configuration";
    }

    /** Token requests this front passed on so far, for one grant type ({@code refresh_token}, {@code authorization_code}). */
    long tokenRequests(String grantType) {
        AtomicLong n = tokenRequests.get(grantType);
        return n == null ? 0 : n.get();
    }

    /** From now on, every token request is answered this much later than the stand-in answers it. */
    void latency(Duration perTokenRequest) {
        latency = perTokenRequest;
    }

    Duration latency() {
        return latency;
    }

    /** TLS connections made to this front so far (each a handshake; MSAL4J's client keeps some alive between requests). */
    long connections() {
        return connections.get();
    }

    /** The most token requests that were open at this front at once since the last call (from the request to the answer). */
    int takePeakTokenRequestsOpen() {
        return peakTokenRequestsOpen.getAndSet(tokenRequestsOpen.get());
    }

    private void forward(HttpServerRequest in) {
        boolean token = in.path().endsWith("/token");
        if (token) {
            peakTokenRequestsOpen.accumulateAndGet(tokenRequestsOpen.incrementAndGet(), Math::max);
        }
        in.body().compose(body -> {
            if (token) {
                tokenRequests.computeIfAbsent(grantType(body.toString()), g -> new AtomicLong()).incrementAndGet();
            }
            return interceptor.intercept(in, body).compose(answered -> answered ? Future.<Void>succeededFuture()
                    : pass(in, body, token ? grantType(body.toString()) : null));
        }).onFailure(e -> {
            if (!in.response().ended()) {
                in.response().setStatusCode(502).end("bench front: " + e);
            }
        }).onComplete(x -> {
            if (token) {
                tokenRequestsOpen.decrementAndGet();
            }
        });
    }

    /** @param grantType the token request's grant type, null for any other request */
    private Future<Void> pass(HttpServerRequest in, Buffer body, String grantType) {
        boolean token = grantType != null;
        RequestOptions out = new RequestOptions().setMethod(in.method()).setHost("localhost").setPort(idpPort).setURI(in.uri());
        MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(in.headers());
        headers.remove(HttpHeaders.CONTENT_LENGTH);
        headers.remove(HttpHeaders.CONNECTION);
        out.setHeaders(headers);
        return idp.request(out).compose(r -> r.send(body)).compose(resp -> resp.body().map(b -> {
            String text = b.toString();
            if (token && resp.statusCode() == 200) {
                try {
                    text = EntraLikeHttpClient.withClientInfo(text);
                    interceptor.answered(grantType, text);
                } catch (java.text.ParseException e) {
                    throw new IllegalStateException("the stand-in IdP sent an unparsable ID token", e);
                }
            }
            in.response().setStatusCode(resp.statusCode());
            resp.headers().forEach((k, v) -> {
                if (!k.equalsIgnoreCase("content-length") && !k.equalsIgnoreCase("connection") && !k.equalsIgnoreCase("transfer-encoding")) {
                    in.response().headers().add(k, v);
                }
            });
            return Buffer.buffer(text);
        })).compose(b -> token && !latency.isZero() ? delayed(b) : Future.succeededFuture(b))
                .compose(b -> in.response().end(b));
    }

    private Future<Buffer> delayed(Buffer answer) {
        Promise<Buffer> later = Promise.promise();
        vertx.setTimer(latency.toMillis(), id -> later.complete(answer));
        return later.future();
    }

    private static String grantType(String form) {
        for (String pair : form.split("&")) {
            if (pair.startsWith("grant_type=")) {
                return URLDecoder.decode(pair.substring("grant_type=".length()), StandardCharsets.UTF_8);
            }
        }
        return "none";
    }

    @Override
    public void close() throws Exception {
        Future.join(server.close(), idp.close()).await(10, TimeUnit.SECONDS);
    }
}
