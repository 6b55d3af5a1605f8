package io.github.aksauthproxy.entra;

import com.microsoft.aad.msal4j.ClientCredentialFactory;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.IClientCredential;
import com.microsoft.aad.msal4j.IHttpClient;
import io.github.aksauthproxy.config.EntraApp;
import java.net.MalformedURLException;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import javax.net.ssl.SSLSocketFactory;

/** How the app proves its identity to Entra, and the MSAL4J application built around that proof. */
public final class EntraCredentials {
    private EntraCredentials() {
    }

    /**
     * The credential the configuration selects. Assertions are callbacks, so MSAL4J fetches a fresh one for
     * every request to Entra (the kubelet rotates the file; managed identity tokens expire).
     */
    public static IClientCredential of(EntraApp app, WorkloadIdentityAssertion assertion) {
        return switch (app.credential()) {
            case WORKLOAD_IDENTITY -> ClientCredentialFactory.createFromCallback(assertion);
            case MANAGED_IDENTITY -> ClientCredentialFactory.createFromCallback(new ManagedIdentityAssertion(app.managedIdentityClientId()));
            case CLIENT_SECRET -> ClientCredentialFactory.createFromSecret(app.clientSecret().orElseThrow().value());
        };
    }

    static ConfidentialClientApplication application(EntraApp app, IClientCredential credential, ExecutorService executor,
                                                     Optional<SSLSocketFactory> tls, Optional<IHttpClient> httpClient) {
        try {
            ConfidentialClientApplication.Builder b = ConfidentialClientApplication.builder(app.clientId(), credential)
                    .authority(app.authority())
                    .instanceDiscovery(false)
                    .validateAuthority(false)
                    .executorService(executor)
                    .connectTimeoutForDefaultHttpClient(5_000)
                    .readTimeoutForDefaultHttpClient(15_000);
            tls.ifPresent(b::sslSocketFactory);
            httpClient.ifPresent(b::httpClient);
            return b.build();
        } catch (MalformedURLException e) {
            throw new IllegalStateException("authority " + app.authority() + " is not a URL", e);
        }
    }
}
