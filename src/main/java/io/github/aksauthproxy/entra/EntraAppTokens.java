package io.github.aksauthproxy.entra;

import com.microsoft.aad.msal4j.ClientCredentialParameters;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.IClientCredential;
import com.microsoft.aad.msal4j.IHttpClient;
import io.github.aksauthproxy.config.EntraApp;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import javax.net.ssl.SSLSocketFactory;

/**
 * App-only tokens (client credentials): the app acting as itself, for {@code sidecar}, {@code token} and Redis with
 * Microsoft Entra authentication.
 *
 * <p>It has its own {@link ConfidentialClientApplication}, never shared with {@link EntraUserFlows}: a shared
 * instance can answer an app-only request from a user's cached token for the same scope. Futures complete on
 * MSAL4J's executor and fail with {@link IdpFailure}.
 */
public final class EntraAppTokens {
    private final ConfidentialClientApplication app;

    public EntraAppTokens(EntraApp app, IClientCredential credential, ExecutorService executor, Optional<SSLSocketFactory> tls) {
        this(app, credential, executor, tls, Optional.empty());
    }

    /** @param httpClient how MSAL4J reaches Entra, when not its own default client */
    public EntraAppTokens(EntraApp app, IClientCredential credential, ExecutorService executor, Optional<SSLSocketFactory> tls,
                          Optional<IHttpClient> httpClient) {
        this.app = EntraCredentials.application(app, credential, executor, tls, httpClient);
    }

    /**
     * Asks Entra for a new token for one resource's {@code .default} scope. MSAL4J's cache is skipped: callers
     * keep the token themselves and ask only when they want a new one (MSAL4J would otherwise hand back the old
     * token until five minutes before it expires).
     */
    public CompletableFuture<AccessToken> acquire(String scope) {
        CompletableFuture<AccessToken> token;
        try {
            token = app.acquireToken(ClientCredentialParameters.builder(Set.of(scope)).skipCache(true).build())
                    .thenApply(r -> new AccessToken(r.accessToken(), r.expiresOnDate().toInstant()));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(EntraUserFlows.translate(e));
        }
        return token.exceptionally(e -> {
            throw EntraUserFlows.translate(e);
        });
    }
}
