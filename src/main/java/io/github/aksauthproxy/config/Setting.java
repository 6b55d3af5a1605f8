package io.github.aksauthproxy.config;

import java.util.Arrays;
import java.util.Optional;

/**
 * Every environment variable the service reads. The names are a public contract (DESIGN.md section 10):
 * add to them, never rename. The README configuration table is checked against this list by a test.
 */
public enum Setting {
    AZURE_CLIENT_ID("The Entra app registration's application (client) id.", "required"),
    AZURE_TENANT_ID("The Entra tenant id (or verified domain).", "required"),
    AZURE_FEDERATED_TOKEN_FILE("Workload-identity assertion file, re-read for every request to Entra; selects that credential.", "set by the workload-identity webhook"),
    AZURE_AUTHORITY_HOST("Authority host, e.g. `https://login.microsoftonline.com/`; wins over `AZURE_CLOUD`.", "public cloud"),
    AZURE_CLOUD("Cloud name: `AzurePublicCloud`, `AzureUSGovernment` or `AzureChinaCloud`.", "`AzurePublicCloud`"),
    AKS_SERVER_APP_ID("The AKS server application id used by the built-in `aks` profile.", "`6dae42f8-4368-4678-94ff-3960e28e3630`"),
    AZURE_SCOPE("An explicit scope for the `aks` profile; wins over `AKS_SERVER_APP_ID`.", "`<AKS_SERVER_APP_ID>/.default`"),
    AKS_AUTH_PROXY_CREDENTIAL("How the service proves its identity to Entra: `workload-identity` or `client-secret`.", "`workload-identity` when `AZURE_FEDERATED_TOKEN_FILE` is set, else `client-secret`"),
    AKS_AUTH_PROXY_CLIENT_SECRET("Client secret (local development only).", "none"),
    AKS_AUTH_PROXY_REDIRECT_URL("The full callback URL registered in Entra, `https://<host>/oauth2/callback`.", "required"),
    AKS_AUTH_PROXY_COOKIE_SECRETS("Comma-separated base64 32-byte keys (`aks-auth-proxy keygen`); the first encrypts, all decrypt.", "required"),
    AKS_AUTH_PROXY_COOKIE_DOMAIN("Cookie domain; unset means a host-only `__Host-` cookie.", "unset"),
    AKS_AUTH_PROXY_ALLOWED_REDIRECT_DOMAINS("Comma-separated hosts allowed as absolute redirect targets; `.example.com` allows the domain and its subdomains; `host:port` pins a port (without one, only the default port is allowed).", "the redirect URL's host"),
    AKS_AUTH_PROXY_LISTEN_ADDRESS("Address both listeners bind to.", "`0.0.0.0`"),
    AKS_AUTH_PROXY_PUBLIC_PORT("Public listener (browsers, through the ingress).", "`4180`"),
    AKS_AUTH_PROXY_INTERNAL_PORT("Internal listener (`/oauth2/auth`, probes).", "`4181`"),
    AKS_AUTH_PROXY_SESSION_LIFETIME("Absolute session lifetime, like `12h`, `30m`, `7d` (at most `90d`).", "`12h`"),
    AKS_AUTH_PROXY_SESSION_IDLE_TIMEOUT("Session ends after this long without a request.", "`1h`"),
    AKS_AUTH_PROXY_CONFIG("YAML file with profiles.", "none"),
    AKS_AUTH_PROXY_OIDC_DISCOVERY_URL("OpenID Connect discovery document of the tenant.", "`<authority host><tenant>/v2.0/.well-known/openid-configuration`"),
    AKS_AUTH_PROXY_IDP_CA_FILE("PEM file of CA certificates trusted for the identity provider, in addition to the JVM's.", "none"),
    AKS_AUTH_PROXY_GROUPS_HEADER_LIMIT("Most group ids sent in `X-Auth-Request-Groups`.", "`100`"),
    AKS_AUTH_PROXY_IDP_SIGN_OUT("`true` sends the browser on to Entra's end-session endpoint after `/oauth2/sign_out`.", "`false`"),
    AKS_AUTH_PROXY_LOG_FORMAT("`json` (one JSON object per line) or `plain` (readable lines for local development).", "`json`"),
    AKS_AUTH_PROXY_TRUSTED_PROXIES("Comma-separated CIDRs (`10.244.0.0/16`, `fd00::/8`) of proxies whose `X-Real-IP` names the client; from anywhere else the peer address is the client.", "none"),
    AKS_AUTH_PROXY_AUTH_RATE_BURST("Requests a user may make at once to `/oauth2/auth`, per profile; `0` switches the limit off.", "`300`"),
    AKS_AUTH_PROXY_AUTH_RATE_PER_SECOND("Requests per second a user regains on `/oauth2/auth`, per profile.", "`50`"),
    AKS_AUTH_PROXY_SIGN_IN_RATE_BURST("Sign-ins (`/oauth2/start`) one client address may start at once; `0` switches the limit off. Applies only with `AKS_AUTH_PROXY_TRUSTED_PROXIES` set.", "`20`"),
    AKS_AUTH_PROXY_SIGN_IN_RATE_PER_MINUTE("Sign-ins per minute a client address regains.", "`10`");

    private final String meaning;
    private final String defaultValue;

    Setting(String meaning, String defaultValue) {
        this.meaning = meaning;
        this.defaultValue = defaultValue;
    }

    public String meaning() {
        return meaning;
    }

    public String defaultValue() {
        return defaultValue;
    }

    public static Optional<Setting> byName(String name) {
        return Arrays.stream(values()).filter(s -> s.name().equals(name)).findFirst();
    }
}
