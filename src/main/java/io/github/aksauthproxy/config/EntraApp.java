package io.github.aksauthproxy.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The Entra app registration a command acts as and how it proves its identity: what {@code serve},
 * {@code sidecar} and {@code token} have in common.
 *
 * @param managedIdentityClientId with {@link CredentialKind#MANAGED_IDENTITY}, the user-assigned identity; empty
 *                                means the system-assigned one
 */
public record EntraApp(
        String clientId,
        String tenantId,
        CredentialKind credential,
        Optional<Path> federatedTokenFile,
        Optional<Secret> clientSecret,
        Optional<String> managedIdentityClientId,
        URI authorityHost,
        Optional<Path> idpCaFile) {

    /** The authority MSAL4J talks to: {@code https://<host>/<tenant>/}. */
    public String authority() {
        return authorityHost.toString() + tenantId + "/";
    }
}
