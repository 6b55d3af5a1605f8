package io.github.aksauthproxy.it;

import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import kotlin.jvm.functions.Function1;
import no.nav.security.mock.oauth2.http.MockWebServerWrapper;
import no.nav.security.mock.oauth2.http.OAuth2HttpRequest;
import no.nav.security.mock.oauth2.http.OAuth2HttpResponse;
import no.nav.security.mock.oauth2.http.OAuth2HttpServer;
import no.nav.security.mock.oauth2.http.Ssl;
import okhttp3.HttpUrl;
import okhttp3.mockwebserver.RecordedRequest;

/**
 * mock-oauth2-server's HTTP server with what Entra does and the mock does not put in front of the mock's request
 * handler ({@link UserNameLogin}, {@link EntraLikeRedemption}).
 */
final class StandInHttpServer implements OAuth2HttpServer {
    /** A request handler of mock-oauth2-server. */
    interface Handler extends Function1<OAuth2HttpRequest, OAuth2HttpResponse> {
    }

    private final MockWebServerWrapper delegate;
    private final UnaryOperator<Handler> decorate;

    StandInHttpServer(Ssl ssl, UnaryOperator<Handler> decorate) {
        this.delegate = new MockWebServerWrapper(ssl);
        this.decorate = decorate;
    }

    /** The next request the server received, or null when none arrives within the timeout. */
    RecordedRequest takeRequest(long timeout, TimeUnit unit) throws InterruptedException {
        return delegate.getMockWebServer().takeRequest(timeout, unit);
    }

    /** The server underneath, where the stand-in puts its secrets recorder. */
    okhttp3.mockwebserver.MockWebServer mockWebServer() {
        return delegate.getMockWebServer();
    }

    private Handler wrap(Function1<? super OAuth2HttpRequest, OAuth2HttpResponse> handler) {
        return decorate.apply(handler::invoke);
    }

    @Override
    public OAuth2HttpServer start(Function1<? super OAuth2HttpRequest, OAuth2HttpResponse> handler) {
        delegate.start(wrap(handler));
        return this;
    }

    @Override
    public OAuth2HttpServer start(int port, Function1<? super OAuth2HttpRequest, OAuth2HttpResponse> handler) {
        delegate.start(port, wrap(handler));
        return this;
    }

    @Override
    public OAuth2HttpServer start(InetAddress address, int port, Function1<? super OAuth2HttpRequest, OAuth2HttpResponse> handler) {
        delegate.start(address, port, wrap(handler));
        return this;
    }

    @Override
    public OAuth2HttpServer stop() {
        delegate.stop();
        return this;
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public int port() {
        return delegate.port();
    }

    @Override
    public HttpUrl url(String path) {
        return delegate.url(path);
    }

    @Override
    public Ssl sslConfig() {
        return delegate.sslConfig();
    }
}
