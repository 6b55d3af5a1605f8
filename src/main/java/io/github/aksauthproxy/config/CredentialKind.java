package io.github.aksauthproxy.config;

import java.util.Arrays;
import java.util.Optional;

/** How the service proves its own identity to Entra. */
public enum CredentialKind {
    WORKLOAD_IDENTITY("workload-identity"),
    /** A managed identity token for {@code api://AzureADTokenExchange} is the client assertion. */
    MANAGED_IDENTITY("managed-identity"),
    CLIENT_SECRET("client-secret");

    private final String configName;

    CredentialKind(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    static Optional<CredentialKind> parse(String value) {
        return Arrays.stream(values()).filter(k -> k.configName.equalsIgnoreCase(value.trim())).findFirst();
    }
}
