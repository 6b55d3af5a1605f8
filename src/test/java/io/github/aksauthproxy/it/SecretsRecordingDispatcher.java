package io.github.aksauthproxy.it;

import java.net.URI;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okio.Buffer;

/**
 * Records in {@link SecretsSeen} every secret that crosses the stand-in IdP, whoever its client is: the service
 * in-process, the sidecar and the {@code token} command (which use MSAL4J's own HTTP client), JVMs the tests start,
 * and the benchmark's jar. Form fields of requests (codes, verifiers, assertions, refresh tokens), tokens in
 * answers, and codes in redirects. It sits in front of mock-oauth2-server's own dispatcher, so the server's request
 * log ({@code takeRequest}) keeps working.
 */
final class SecretsRecordingDispatcher extends Dispatcher {
    private final Dispatcher delegate;

    private SecretsRecordingDispatcher(Dispatcher delegate) {
        this.delegate = delegate;
    }

    /** Puts the recorder in front of the running server's dispatcher. */
    static void install(MockWebServer server) {
        server.setDispatcher(new SecretsRecordingDispatcher(server.getDispatcher()));
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        SecretsSeen.addFormFields(request.getBody().clone().readUtf8());
        if (request.getRequestUrl() != null) {
            SecretsSeen.addQueryFields(request.getRequestUrl().uri());
        }
        MockResponse response = delegate.dispatch(request);
        Buffer body = response.getBody();
        if (body != null) {
            SecretsSeen.addJsonFields(body.readUtf8());
        }
        String location = response.getHeaders().get("Location");
        if (location != null) {
            SecretsSeen.addQueryFields(URI.create(location));
        }
        return response;
    }

    @Override
    public MockResponse peek() {
        return delegate.peek();
    }

    @Override
    public void shutdown() {
        delegate.shutdown();
    }
}
