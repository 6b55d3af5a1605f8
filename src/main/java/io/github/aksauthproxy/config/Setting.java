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
    AKS_AUTH_PROXY_CREDENTIAL("How the service proves its identity to Entra: `workload-identity`, `managed-identity` or `client-secret`.", "`workload-identity` when `AZURE_FEDERATED_TOKEN_FILE` is set, else `client-secret`"),
    AKS_AUTH_PROXY_CLIENT_SECRET("Client secret (local development only).", "none"),
    AKS_AUTH_PROXY_REDIRECT_URL("The full callback URL registered in Entra, `https://<host>/oauth2/callback`.", "required"),
    AKS_AUTH_PROXY_COOKIE_SECRETS("Comma-separated base64 32-byte keys (`aks-auth-proxy keygen`); the first encrypts, all decrypt.", "required"),
    AKS_AUTH_PROXY_COOKIE_SECRETS_ROTATE_BY("Date (`2026-09-30`, UTC) by which the first cookie key is to be replaced, as your key policy says; exported as `aks_auth_proxy_cookie_key_rotation_due_timestamp_seconds`, which the shipped alert watches from 14 days ahead.", "none (no rotation date, no alert)"),
    AKS_AUTH_PROXY_COOKIE_DOMAIN("Cookie domain; unset means a host-only `__Host-` cookie.", "unset"),
    AKS_AUTH_PROXY_ALLOWED_REDIRECT_DOMAINS("Comma-separated hosts allowed as absolute redirect targets; `.example.com` allows the domain and its subdomains; `host:port` pins a port (without one, only the default port is allowed).", "the redirect URL's host"),
    AKS_AUTH_PROXY_LISTEN_ADDRESS("Address both listeners of `serve` bind to (the sidecar has its own, `AKS_AUTH_PROXY_SIDECAR_LISTEN_ADDRESS`).", "`0.0.0.0`"),
    AKS_AUTH_PROXY_PUBLIC_PORT("Public listener (browsers, through the ingress).", "`4180`"),
    AKS_AUTH_PROXY_INTERNAL_PORT("Internal listener (`/oauth2/auth`, probes).", "`4181`"),
    AKS_AUTH_PROXY_SESSION_LIFETIME("Absolute session lifetime, like `12h`, `30m`, `7d` (at most `90d`).", "`12h`"),
    AKS_AUTH_PROXY_SESSION_IDLE_TIMEOUT("Session ends after this long without a request.", "`1h`"),
    AKS_AUTH_PROXY_CONFIG("YAML file with profiles.", "none"),
    AKS_AUTH_PROXY_OIDC_DISCOVERY_URL("OpenID Connect discovery document of the tenant.", "`<authority host><tenant>/v2.0/.well-known/openid-configuration`"),
    AKS_AUTH_PROXY_IDP_CA_FILE("PEM file of CA certificates trusted for the identity provider and Microsoft Graph, in addition to the JVM's.", "none"),
    AKS_AUTH_PROXY_GROUPS_HEADER_LIMIT("Most group ids sent in `X-Auth-Request-Groups`; a user with more gets only the groups some profile's `allow.groups` names, and `X-Auth-Request-Groups-Truncated: true`.", "`100`"),
    AKS_AUTH_PROXY_GROUPS_HEADER_MAX_BYTES("Most bytes of `X-Auth-Request-Groups` (256 to 32768), kept well under the proxy's buffer for auth answers; over it, as over `AKS_AUTH_PROXY_GROUPS_HEADER_LIMIT`, the header carries only the groups some profile's `allow.groups` names, and `X-Auth-Request-Groups-Truncated: true`.", "`4096`"),
    AKS_AUTH_PROXY_GROUPS_CACHE_TTL("How long the groups of a user in group overage, as Microsoft Graph gave them, are reused for one session, like `10m` (10s to 1h); never beyond the session's end.", "`10m`"),
    AKS_AUTH_PROXY_GRAPH_SCOPE("The delegated Microsoft Graph scope of the token the service gets, with the user's sign-in, to ask Graph for the groups of a user in group overage (more than 200 groups, so the ID token names none). `User.Read` suffices (see docs/deploy-aks.md).", "`https://graph.microsoft.com/User.Read` (`https://graph.microsoft.us/...`, `https://microsoftgraph.chinacloudapi.cn/...` by the cloud of the authority host)"),
    AKS_AUTH_PROXY_GRAPH_URL("For tests only: the base URL of a stand-in for Microsoft Graph. Accepted are `https://` on `localhost`, `127.0.0.1` or `[::1]`, and Graph's own hosts; its certificate is trusted through `AKS_AUTH_PROXY_IDP_CA_FILE`. Never set it in production.", "Microsoft Graph of the authority host's cloud: `https://graph.microsoft.com`, `https://graph.microsoft.us` or `https://microsoftgraph.chinacloudapi.cn`"),
    AKS_AUTH_PROXY_IDP_SIGN_OUT("`true` sends the browser on to Entra's end-session endpoint after `/oauth2/sign_out`.", "`false`"),
    AKS_AUTH_PROXY_MANAGED_IDENTITY_CLIENT_ID("With `managed-identity`: the client id of the user-assigned managed identity whose token is the assertion.", "the system-assigned identity"),
    AKS_AUTH_PROXY_SIDECAR_UPSTREAM("`sidecar`: the one https upstream requests are proxied to, e.g. `https://<workspace>.<region>.prometheus.monitor.azure.com`; a path in it is put before each request's path.", "required for `sidecar`"),
    AKS_AUTH_PROXY_SIDECAR_SCOPE("`sidecar`: the scope of the app-only token, a resource's `/.default`, e.g. `https://prometheus.monitor.azure.com/.default`.", "required for `sidecar`"),
    AKS_AUTH_PROXY_SIDECAR_PATH_PREFIX("`sidecar`: only request paths under this prefix are proxied (unchanged); others get 404.", "`/`"),
    AKS_AUTH_PROXY_SIDECAR_PORT("`sidecar`: the listener port (the proxy and `/health`).", "`8081`"),
    AKS_AUTH_PROXY_SIDECAR_LISTEN_ADDRESS("`sidecar`: the address (a literal IP) the listener binds to. The sidecar authenticates no client and sends the workload's token with every request it proxies, so on any other address every pod that can reach this one queries the upstream as the workload identity: bind elsewhere (`0.0.0.0`) only behind a NetworkPolicy that admits just the intended clients.", "`127.0.0.1` (the pod's own containers only)"),
    AKS_AUTH_PROXY_SIDECAR_UPSTREAM_CA_FILE("`sidecar`: PEM file of CA certificates trusted for the upstream, in addition to the JVM's.", "none"),
    KUBERNETES_SERVICE_HOST("The in-cluster API server's address; with `KUBERNETES_SERVICE_PORT` it makes the default `AKS_AUTH_PROXY_KUBERNETES_API_URL`.", "set by Kubernetes in every pod"),
    KUBERNETES_SERVICE_PORT("The in-cluster API server's port.", "set by Kubernetes in every pod"),
    AKS_AUTH_PROXY_KUBERNETES_API_URL("The Kubernetes API server asked for `/oauth2/whoami` and profile `rbac` checks, always with the user's own AKS token; a path in it (an API server behind a prefixed proxy) is kept before each request's path.", "`https://<KUBERNETES_SERVICE_HOST>:<KUBERNETES_SERVICE_PORT>` in a pod, else none"),
    AKS_AUTH_PROXY_KUBERNETES_CA_FILE("PEM file of the API server's CA.", "`/var/run/secrets/kubernetes.io/serviceaccount/ca.crt` when it exists, else the JVM's trust store"),
    AKS_AUTH_PROXY_ACCESS_DECISION_TTL("How long a profile's RBAC decision for one session or bearer token is reused, like `60s` or `5m` (1s to 1h).", "`60s`"),
    AKS_AUTH_PROXY_BEARER_AUDIENCES("Comma-separated `aud` values a client's own bearer token may carry; a GUID also accepts its `api://<GUID>` form.", "the AKS server app id (`AKS_SERVER_APP_ID`)"),
    AKS_AUTH_PROXY_BEARER_ISSUERS("Comma-separated `iss` values a client's own bearer token may carry; replaces the derived ones.", "the tenant's issuer from discovery plus its cloud's v1 and v2 issuers (see Bearer passthrough)"),
    AKS_AUTH_PROXY_LOG_FORMAT("`json` (one JSON object per line) or `plain` (readable lines for local development).", "`json`"),
    AKS_AUTH_PROXY_SHUTDOWN_DELAY("After SIGTERM, how long every request is still answered while `/readyz` answers 503, so that Kubernetes takes the pod out of the Service and the ingress stops sending to it first; then the listeners close and requests in flight get up to 15 s more. `0s` to `60s`; keep `terminationGracePeriodSeconds` above this plus 20 s.", "`5s`"),
    AKS_AUTH_PROXY_TRUSTED_PROXIES("Comma-separated CIDRs (`10.244.0.0/16`, `fd00::/8`, full addresses only) of the reverse proxies whose `X-Real-IP` and `X-Forwarded-*` headers are believed; from any other peer they are ignored. List only proxies that overwrite `X-Real-IP` with the connection's address (see [Which proxies to trust](#which-proxies-to-trust)).", "none"),
    AKS_AUTH_PROXY_AUTH_RATE_BURST("Requests a user may make at once to `/oauth2/auth`, per profile; `0` switches the limit off.", "`300`"),
    AKS_AUTH_PROXY_AUTH_RATE_PER_SECOND("Requests per second a user regains on `/oauth2/auth`, per profile.", "`50`"),
    AKS_AUTH_PROXY_SIGN_IN_RATE_BURST("Sign-ins (`/oauth2/start`) one client address may start at once; `0` switches the limit off. Applies only with `AKS_AUTH_PROXY_TRUSTED_PROXIES` set.", "`20`"),
    AKS_AUTH_PROXY_SIGN_IN_RATE_PER_MINUTE("Sign-ins per minute a client address regains.", "`10`"),
    AKS_AUTH_PROXY_TOKEN_CACHE_MAX_BYTES("Most bytes the cached access tokens may hold, as bytes (`67108864`) or `64m`, `512Mi`, `1g` (1 MiB to 75% of the heap); when full, the tokens of the sessions idle longest are dropped first and minted again on their next request. Metrics: `aks_auth_proxy_token_cache_bytes`, `_entries`, `_evictions_total`.", "a quarter of the JVM's maximum heap (`Runtime.maxMemory()`): 70 MiB under the chart's 512Mi limit with the image's `-XX:MaxRAMPercentage=55`"),
    AKS_AUTH_PROXY_TOKEN_REQUESTS_IN_FLIGHT("Most token requests to Entra this replica makes at once (code redemptions at sign-in, refresh-token grants for sessions' tokens, app-only tokens), 1 to 1024; more wait their turn in order, none is dropped. One request per session and profile at most, however many requests of that session wait for it. With Entra answering in about 150 ms, 128 mint about 850 tokens a second; raise it when a burst of fresh sessions (a rolling restart with the cookie store, the morning sign-in rush) waits on it.", "`128`"),
    AKS_AUTH_PROXY_SESSION_STORE("Where sessions live: `cookie` (the whole session in the encrypted cookie) or `redis` (the cookie holds only a ticket; sessions, tokens and rate limits are shared by every replica through Redis). Switching makes every user sign in again.", "`cookie`"),
    AKS_AUTH_PROXY_REDIS_URL("With `redis`: `redis://host:port` or `rediss://host:port` (TLS) of one server or one proxy endpoint, optionally `/<database>`; never a password. Exactly one of this, `AKS_AUTH_PROXY_REDIS_SENTINELS` and `AKS_AUTH_PROXY_REDIS_CLUSTER_NODES`.", "none"),
    AKS_AUTH_PROXY_REDIS_SENTINELS("With `redis`: comma-separated `host:port` of the Sentinels (`rediss://host:port` for TLS); the master is looked up again on every reconnect, so a failover is followed without a restart.", "none"),
    AKS_AUTH_PROXY_REDIS_MASTER_NAME("With `AKS_AUTH_PROXY_REDIS_SENTINELS`: the name of the master the Sentinels watch.", "required with Sentinels"),
    AKS_AUTH_PROXY_REDIS_CLUSTER_NODES("With `redis`: comma-separated `host:port` (or `rediss://host:port`) of some Redis Cluster nodes; the rest is discovered and topology changes are followed.", "none"),
    AKS_AUTH_PROXY_REDIS_USERNAME("ACL user name for Redis (and the Sentinels) with `AKS_AUTH_PROXY_REDIS_AUTH=password`.", "the `default` user"),
    AKS_AUTH_PROXY_REDIS_PASSWORD("Password of that user; a secret, never logged.", "none (no AUTH)"),
    AKS_AUTH_PROXY_REDIS_CA_FILE("PEM file of CA certificates trusted for Redis over TLS, in addition to the JVM's.", "none"),
    AKS_AUTH_PROXY_REDIS_AUTH("`password`, or `entra` for Azure Managed Redis / Azure Cache for Redis with Microsoft Entra authentication: the service's own identity gets a token for `https://redis.azure.com/.default`, its object id is the user name, and every open connection re-authenticates before the token expires.", "`password`");

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
