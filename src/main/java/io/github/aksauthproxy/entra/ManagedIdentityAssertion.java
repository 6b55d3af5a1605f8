package io.github.aksauthproxy.entra;

import com.microsoft.aad.msal4j.ManagedIdentityApplication;
import com.microsoft.aad.msal4j.ManagedIdentityId;
import com.microsoft.aad.msal4j.ManagedIdentityParameters;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A managed identity token for {@code api://AzureADTokenExchange}, used as the client assertion of the app
 * registration whose federated identity credential trusts that managed identity (hosts without the AKS
 * workload-identity webhook, such as Container Apps or App Service).
 *
 * <p>MSAL4J finds the platform's managed identity endpoint itself (IMDS, or App Service's and Container Apps'
 * {@code IDENTITY_ENDPOINT}/{@code IDENTITY_HEADER}) and caches the token until shortly before it expires.
 */
public final class ManagedIdentityAssertion implements Callable<String> {
    /** The audience Entra requires of a federated credential's assertion. */
    public static final String AUDIENCE = "api://AzureADTokenExchange";

    private final ManagedIdentityApplication app;

    /** @param userAssignedClientId the user-assigned identity; empty means the system-assigned one */
    public ManagedIdentityAssertion(Optional<String> userAssignedClientId) {
        ManagedIdentityId id = userAssignedClientId.map(ManagedIdentityId::userAssignedClientId).orElseGet(ManagedIdentityId::systemAssigned);
        this.app = ManagedIdentityApplication.builder(id).build();
    }

    /** The current assertion (blocking: MSAL4J calls it on its own executor for each request to Entra). */
    @Override
    public String call() throws IOException {
        try {
            return app.acquireTokenForManagedIdentity(ManagedIdentityParameters.builder(AUDIENCE).build())
                    .get(30, TimeUnit.SECONDS).accessToken();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking the managed identity endpoint for a token");
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new IOException("the managed identity endpoint gave no token for " + AUDIENCE + " ("
                    + cause.getClass().getSimpleName() + ")", cause);
        } catch (Exception e) {
            throw new IOException("the managed identity endpoint gave no token for " + AUDIENCE + " ("
                    + e.getClass().getSimpleName() + ")", e);
        }
    }
}
