package io.github.aksauthproxy.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The whole configuration, built once at start-up by {@link ConfigLoader} and passed by constructor.
 *
 * @param redis where sessions, tokens and rate limits live when {@code AKS_AUTH_PROXY_SESSION_STORE=redis}; empty
 *     for the cookie store
 * @param memory the byte bounds of the caches that grow with users
 * @param tokenRequestsInFlight most requests to Entra's token endpoint at once; more wait in order
 * @param shutdownDelay after SIGTERM, how long requests are still answered while /readyz fails
 */
public record Config(
        String clientId,
        String tenantId,
        CredentialKind credential,
        Optional<Path> federatedTokenFile,
        Optional<Secret> clientSecret,
        URI authorityHost,
        URI discoveryUrl,
        Optional<Path> idpCaFile,
        URI redirectUrl,
        List<CookieKey> cookieKeys,
        Optional<String> cookieDomain,
        List<String> allowedRedirectDomains,
        String listenAddress,
        int publicPort,
        int internalPort,
        Duration sessionLifetime,
        Duration sessionIdleTimeout,
        int groupsHeaderLimit,
        boolean idpSignOut,
        Map<String, Profile> profiles,
        Optional<String> managedIdentityClientId,
        ClusterAccess cluster,
        BearerPolicy bearer,
        LogFormat logFormat,
        List<Cidr> trustedProxies,
        RateLimit authRateLimit,
        RateLimit signInRateLimit,
        GroupsConfig groups,
        Optional<RedisConfig> redis,
        Optional<java.time.Instant> cookieKeysRotateBy,
        MemoryBudget memory,
        int tokenRequestsInFlight,
        Duration shutdownDelay) {

    /** The profile used when a request names none. */
    public static final String DEFAULT_PROFILE = "aks";

    /** The authority MSAL4J talks to: {@code https://<host>/<tenant>/}. */
    public String authority() {
        return authorityHost.toString() + tenantId + "/";
    }

    /** The app registration the service acts as, and how it proves that to Entra. */
    public EntraApp entraApp() {
        return new EntraApp(clientId, tenantId, credential, federatedTokenFile, clientSecret, managedIdentityClientId, authorityHost, idpCaFile);
    }

    /** True when the service runs behind plain http (local development only). */
    public boolean insecureLocalDevelopment() {
        return "http".equalsIgnoreCase(redirectUrl.getScheme());
    }
}
