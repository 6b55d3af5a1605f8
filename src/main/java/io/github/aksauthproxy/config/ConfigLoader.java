package io.github.aksauthproxy.config;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Builds the {@link Config} from environment variables and the optional profiles file, collecting every
 * problem before failing so an operator fixes them all in one go.
 */
public final class ConfigLoader {
    public static final String AKS_SERVER_APP_ID_DEFAULT = "6dae42f8-4368-4678-94ff-3960e28e3630";
    private static final Map<String, String> CLOUDS = Map.of(
            "azurepubliccloud", "https://login.microsoftonline.com/",
            "azureusgovernment", "https://login.microsoftonline.us/",
            "azurechinacloud", "https://login.chinacloudapi.cn/");
    /** Long enough for an endpoint's removal to reach kube-proxy and the ingress controllers after SIGTERM. */
    static final Duration SHUTDOWN_DELAY_DEFAULT = Duration.ofSeconds(5);
    private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.-]{0,253}");
    private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern DOMAIN = Pattern.compile("\\.?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\\d{1,5})?");
    private static final Pattern PROFILE_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Set<String> PROFILE_KEYS = Set.of("name", "scopes", "access_token_header", "browser_redirect", "allow", "rbac");
    private static final Duration MAX_LIFETIME = Duration.ofDays(90);
    /**
     * Fresh sessions all at once (a rolling restart with the cookie store, the morning sign-in rush) wait on this: with
     * Entra's usual 150 ms per token request, 1,000 of them are served within about 1.2 s by 128 requests in flight,
     * where 64 need at least 2.4 s and the former fixed 8 threads 19 s. Each request in flight holds one thread, idle ones
     * end after a minute.
     */
    static final int DEFAULT_TOKEN_REQUESTS_IN_FLIGHT = 128;
    /** A thread each: beyond this, memory and Entra's throttling (HTTP 429) cost more than waiting in line. */
    static final int MAX_TOKEN_REQUESTS_IN_FLIGHT = 1024;

    private final Map<String, String> env;
    private final List<ConfigProblem> problems = new ArrayList<>();

    private ConfigLoader(Map<String, String> env) {
        this.env = env;
    }

    /** Reads the configuration of {@code serve}, or throws with every problem found. */
    public static Config load(Map<String, String> env) throws InvalidConfigException {
        return load(env, ConfigLoader::build);
    }

    /**
     * Reads the configuration of {@code sidecar}, or throws with every problem found. The serve-only settings
     * (redirect URL, cookie keys) are not needed.
     */
    public static SidecarConfig loadSidecar(Map<String, String> env) throws InvalidConfigException {
        return load(env, ConfigLoader::buildSidecar);
    }

    /** Reads the configuration of the {@code token} command, or throws with every problem found. */
    public static TokenCommandConfig loadTokenCommand(Map<String, String> env) throws InvalidConfigException {
        return load(env, ConfigLoader::buildTokenCommand);
    }

    private static <T> T load(Map<String, String> env, Function<ConfigLoader, T> build) throws InvalidConfigException {
        ConfigLoader loader = new ConfigLoader(env);
        loader.rejectUnknownSettings();
        T result = build.apply(loader);
        if (!loader.problems.isEmpty()) {
            throw new InvalidConfigException(loader.problems);
        }
        return result;
    }

    private Config build() {
        EntraApp app = entraApp();
        URI discovery = value(Setting.AKS_AUTH_PROXY_OIDC_DISCOVERY_URL)
                .map(v -> httpsUrl(Setting.AKS_AUTH_PROXY_OIDC_DISCOVERY_URL, v))
                .orElseGet(() -> app.authorityHost() == null || app.tenantId() == null ? null
                        : URI.create(app.authorityHost() + app.tenantId() + "/v2.0/.well-known/openid-configuration"));
        URI redirectUrl = redirectUrl();
        List<CookieKey> keys = cookieKeys();
        Optional<Instant> rotateBy = rotateBy();
        Duration shutdownDelay = shutdownDelay();
        Optional<String> cookieDomain = value(Setting.AKS_AUTH_PROXY_COOKIE_DOMAIN).map(d -> d.toLowerCase(Locale.ROOT));
        cookieDomain.filter(d -> !DOMAIN.matcher(d).matches() || d.contains(":")).ifPresent(d -> problem(
                Setting.AKS_AUTH_PROXY_COOKIE_DOMAIN, "'" + d + "' is not a domain name; write it like '.example.com' or 'app.example.com'"));
        List<String> allowed = allowedRedirectDomains(redirectUrl);
        String listen = listenAddress();
        int publicPort = port(Setting.AKS_AUTH_PROXY_PUBLIC_PORT, 4180);
        int internalPort = port(Setting.AKS_AUTH_PROXY_INTERNAL_PORT, 4181);
        if (publicPort == internalPort && publicPort > 0) {
            problem(Setting.AKS_AUTH_PROXY_INTERNAL_PORT, "must differ from AKS_AUTH_PROXY_PUBLIC_PORT (" + publicPort
                    + "): /oauth2/auth must never be reachable on the public port");
        }
        Duration lifetime = duration(Setting.AKS_AUTH_PROXY_SESSION_LIFETIME, Duration.ofHours(12));
        Duration idle = duration(Setting.AKS_AUTH_PROXY_SESSION_IDLE_TIMEOUT, Duration.ofHours(1));
        if (lifetime != null && lifetime.compareTo(MAX_LIFETIME) > 0) {
            problem(Setting.AKS_AUTH_PROXY_SESSION_LIFETIME, "is longer than 90d, the lifetime of an Entra refresh token; use 90d or less");
        }
        int groupsLimit = integer(Setting.AKS_AUTH_PROXY_GROUPS_HEADER_LIMIT, 100, 0, 1000);
        boolean idpSignOut = bool(Setting.AKS_AUTH_PROXY_IDP_SIGN_OUT, false);
        Map<String, Profile> profiles = profiles();
        ClusterAccess cluster = clusterAccess(profiles);
        BearerPolicy bearer = bearerPolicy();
        LogFormat logFormat = logFormat();
        List<Cidr> trustedProxies = trustedProxies();
        RateLimit authLimit = rateLimit(Setting.AKS_AUTH_PROXY_AUTH_RATE_BURST, 300, Setting.AKS_AUTH_PROXY_AUTH_RATE_PER_SECOND, 50,
                Duration.ofSeconds(1));
        RateLimit signInLimit = rateLimit(Setting.AKS_AUTH_PROXY_SIGN_IN_RATE_BURST, 20, Setting.AKS_AUTH_PROXY_SIGN_IN_RATE_PER_MINUTE, 10,
                Duration.ofMinutes(1));
        GroupsConfig groups = GroupsSettings.parse(env, app.authorityHost(), problems);
        Optional<RedisConfig> redis = RedisSettings.parse(env, problems);
        MemoryBudget memory = MemorySettings.parse(env, Runtime.getRuntime().maxMemory(), problems);
        int tokenRequestsInFlight = integer(Setting.AKS_AUTH_PROXY_TOKEN_REQUESTS_IN_FLIGHT, DEFAULT_TOKEN_REQUESTS_IN_FLIGHT, 1,
                MAX_TOKEN_REQUESTS_IN_FLIGHT);
        if (!problems.isEmpty()) {
            return null;
        }
        return new Config(app.clientId(), app.tenantId(), app.credential(), app.federatedTokenFile(), app.clientSecret(),
                app.authorityHost(), discovery, app.idpCaFile(), redirectUrl, keys, cookieDomain, allowed, listen, publicPort,
                internalPort, lifetime, idle, groupsLimit, idpSignOut, profiles, app.managedIdentityClientId(),
                cluster, bearer, logFormat, trustedProxies, authLimit, signInLimit, groups, redis, rotateBy, memory,
                tokenRequestsInFlight, shutdownDelay);
    }

    private SidecarConfig buildSidecar() {
        EntraApp app = entraApp();
        assertionReadable(app);
        String scope = sidecarScope();
        URI upstream = sidecarUpstream();
        Optional<Path> upstreamCa = readableFile(Setting.AKS_AUTH_PROXY_SIDECAR_UPSTREAM_CA_FILE);
        String prefix = sidecarPathPrefix();
        String listen = sidecarListenAddress();
        int port = port(Setting.AKS_AUTH_PROXY_SIDECAR_PORT, 8081);
        if (!problems.isEmpty()) {
            return null;
        }
        return new SidecarConfig(app, scope, upstream, upstreamCa, prefix, listen, port);
    }

    private TokenCommandConfig buildTokenCommand() {
        EntraApp app = entraApp();
        assertionReadable(app);
        String scope = aksScope();
        return problems.isEmpty() ? new TokenCommandConfig(app, scope) : null;
    }

    /** The settings every command needs: who the app is and how it proves that to Entra. */
    private EntraApp entraApp() {
        String clientId = required(Setting.AZURE_CLIENT_ID, CLIENT_ID,
                "must be the application (client) id of the Entra app registration");
        String tenantId = required(Setting.AZURE_TENANT_ID, TENANT,
                "must be the directory (tenant) id, a GUID, or a verified domain of the tenant");
        if (tenantId != null && Set.of("common", "organizations", "consumers").contains(tenantId.toLowerCase(Locale.ROOT))) {
            problem(Setting.AZURE_TENANT_ID, "'" + tenantId + "' is not a single tenant; set the tenant id the users sign in to");
        }
        Optional<Path> tokenFile = value(Setting.AZURE_FEDERATED_TOKEN_FILE).map(Path::of);
        Optional<Secret> secret = value(Setting.AKS_AUTH_PROXY_CLIENT_SECRET).map(Secret::new);
        CredentialKind credential = credential(tokenFile, secret);
        Optional<String> managedIdentity = value(Setting.AKS_AUTH_PROXY_MANAGED_IDENTITY_CLIENT_ID);
        managedIdentity.filter(id -> !CLIENT_ID.matcher(id).matches()).ifPresent(id -> problem(Setting.AKS_AUTH_PROXY_MANAGED_IDENTITY_CLIENT_ID,
                "'" + id + "' is not valid; it must be the client id of a user-assigned managed identity"));
        URI authorityHost = authorityHost();
        Optional<Path> caFile = readableFile(Setting.AKS_AUTH_PROXY_IDP_CA_FILE);
        return new EntraApp(clientId, tenantId, credential, tokenFile, secret, managedIdentity, authorityHost, caFile);
    }

    /**
     * Commands that ask for a token at once fail on an unreadable assertion file, so say so before they start;
     * {@code serve} reports it on {@code /readyz} instead, because the webhook may mount the file after start.
     */
    private void assertionReadable(EntraApp app) {
        if (app.credential() == CredentialKind.WORKLOAD_IDENTITY) {
            app.federatedTokenFile().filter(p -> !Files.isReadable(p)).ifPresent(p -> problem(Setting.AZURE_FEDERATED_TOKEN_FILE,
                    "cannot read '" + p + "'; is the pod labelled azure.workload.identity/use=\"true\" and does the file exist?"));
        }
    }

    private Optional<Path> readableFile(Setting s) {
        Optional<Path> file = value(s).map(Path::of);
        file.filter(p -> !Files.isReadable(p)).ifPresent(p -> problem(s,
                "cannot read '" + p + "'; point it at a PEM file of CA certificates"));
        return file;
    }

    private String listenAddress() {
        return value(Setting.AKS_AUTH_PROXY_LISTEN_ADDRESS).orElse("0.0.0.0");
    }

    /**
     * Not {@code AKS_AUTH_PROXY_LISTEN_ADDRESS}: {@code serve} needs all interfaces for its Service, while the sidecar
     * is an unauthenticated proxy carrying the workload's token, which only the pod's own containers may use unless
     * the operator opens it on purpose.
     */
    private String sidecarListenAddress() {
        String v = value(Setting.AKS_AUTH_PROXY_SIDECAR_LISTEN_ADDRESS).orElse("127.0.0.1");
        if (Cidr.address(v).isEmpty() || v.contains("/") || v.contains("[")) {
            problem(Setting.AKS_AUTH_PROXY_SIDECAR_LISTEN_ADDRESS, "'" + v + "' is not an IP address; write it like 127.0.0.1 or, "
                    + "only behind a NetworkPolicy, 0.0.0.0");
            return null;
        }
        return v;
    }

    private String sidecarScope() {
        Optional<String> v = value(Setting.AKS_AUTH_PROXY_SIDECAR_SCOPE);
        if (v.isEmpty()) {
            problem(Setting.AKS_AUTH_PROXY_SIDECAR_SCOPE, "is required; set the resource's .default scope, "
                    + "like https://prometheus.monitor.azure.com/.default");
            return null;
        }
        // Entra issues app-only tokens for a resource's .default scope only (AADSTS1002012 otherwise).
        if (v.get().chars().anyMatch(Character::isWhitespace) || !v.get().endsWith("/.default")) {
            problem(Setting.AKS_AUTH_PROXY_SIDECAR_SCOPE, "'" + v.get() + "' is not one resource's .default scope; "
                    + "an app-only token needs one, like https://prometheus.monitor.azure.com/.default");
            return null;
        }
        return v.get();
    }

    private URI sidecarUpstream() {
        Optional<String> v = value(Setting.AKS_AUTH_PROXY_SIDECAR_UPSTREAM);
        if (v.isEmpty()) {
            problem(Setting.AKS_AUTH_PROXY_SIDECAR_UPSTREAM, "is required; set the https URL requests go to, "
                    + "like https://<workspace>.<region>.prometheus.monitor.azure.com");
            return null;
        }
        URI uri = parseUri(v.get());
        if (uri == null || uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            problem(Setting.AKS_AUTH_PROXY_SIDECAR_UPSTREAM, "'" + v.get() + "' is not an absolute URL like "
                    + "https://<workspace>.<region>.prometheus.monitor.azure.com");
            return null;
        }
        if (!"https".equalsIgnoreCase(uri.getScheme())) {
            problem(Setting.AKS_AUTH_PROXY_SIDECAR_UPSTREAM, "'" + v.get() + "' is not https; the sidecar sends a bearer token "
                    + "upstream and never over plain http");
            return null;
        }
        String s = uri.toString();
        return URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
    }

    private String sidecarPathPrefix() {
        String v = value(Setting.AKS_AUTH_PROXY_SIDECAR_PATH_PREFIX).orElse("/");
        if (!v.startsWith("/") || v.contains("..") || v.contains("\\") || v.contains("?") || v.contains("#") || v.contains("%")
                || v.chars().anyMatch(c -> c <= ' ' || c == 127)) {
            problem(Setting.AKS_AUTH_PROXY_SIDECAR_PATH_PREFIX, "'" + v + "' is not a plain path; write it like / or /api/v1/");
            return null;
        }
        return v;
    }

    private LogFormat logFormat() {
        Optional<String> v = value(Setting.AKS_AUTH_PROXY_LOG_FORMAT);
        if (v.isEmpty()) {
            return LogFormat.JSON;
        }
        Optional<LogFormat> f = LogFormat.parse(v.get());
        if (f.isEmpty()) {
            problem(Setting.AKS_AUTH_PROXY_LOG_FORMAT, "'" + v.get() + "' is not a log format; use json or plain");
        }
        return f.orElse(LogFormat.JSON);
    }

    private List<Cidr> trustedProxies() {
        List<Cidr> ranges = new ArrayList<>();
        for (String raw : value(Setting.AKS_AUTH_PROXY_TRUSTED_PROXIES).orElse("").split(",")) {
            if (raw.isBlank()) {
                continue;
            }
            Optional<Cidr> cidr = Cidr.parse(raw);
            if (cidr.isEmpty()) {
                problem(Setting.AKS_AUTH_PROXY_TRUSTED_PROXIES, "'" + raw.trim() + "' is not an address range; write entries like "
                        + "10.244.0.0/16, 192.168.1.7 or fd00::/8 (addresses, not host names)");
                continue;
            }
            ranges.add(cidr.get());
        }
        return List.copyOf(ranges);
    }

    private RateLimit rateLimit(Setting burstSetting, int burstDefault, Setting rateSetting, int rateDefault, Duration per) {
        int burst = integer(burstSetting, burstDefault, 0, 1_000_000);
        int rate = integer(rateSetting, rateDefault, 1, 1_000_000);
        if (burst <= 0 || rate <= 0) {
            return RateLimit.OFF;
        }
        return new RateLimit(burst, per.dividedBy(rate));
    }

    private void rejectUnknownSettings() {
        env.keySet().stream().filter(k -> k.startsWith("AKS_AUTH_PROXY_")).filter(k -> Setting.byName(k).isEmpty()).sorted()
                .forEach(k -> problems.add(new ConfigProblem(k, "is not a setting of aks-auth-proxy" + closest(k)
                        .map(s -> "; did you mean " + s + "?").orElse("; see the configuration table in README.md"))));
    }

    private static Optional<String> closest(String unknown) {
        return Arrays.stream(Setting.values()).map(Setting::name)
                .filter(n -> n.startsWith(unknown) || unknown.startsWith(n) || editDistance(n, unknown) <= 3).findFirst();
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            int[] cur = new int[b.length() + 1];
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            prev = cur;
        }
        return prev[b.length()];
    }

    private CredentialKind credential(Optional<Path> tokenFile, Optional<Secret> secret) {
        Optional<String> chosen = value(Setting.AKS_AUTH_PROXY_CREDENTIAL);
        CredentialKind kind;
        if (chosen.isPresent()) {
            Optional<CredentialKind> parsed = CredentialKind.parse(chosen.get());
            if (parsed.isEmpty()) {
                problem(Setting.AKS_AUTH_PROXY_CREDENTIAL, "'" + chosen.get() + "' is not a credential source; use workload-identity, managed-identity or client-secret");
                return null;
            }
            kind = parsed.get();
        } else {
            kind = tokenFile.isPresent() || secret.isEmpty() ? CredentialKind.WORKLOAD_IDENTITY : CredentialKind.CLIENT_SECRET;
        }
        if (kind == CredentialKind.WORKLOAD_IDENTITY && tokenFile.isEmpty()) {
            problems.add(new ConfigProblem(Setting.AZURE_FEDERATED_TOKEN_FILE.name(),
                    "is not set, so the service has no way to prove its identity to Entra; label the pod "
                            + "azure.workload.identity/use=\"true\" and annotate its service account with "
                            + "azure.workload.identity/client-id (or, for local development only, set AKS_AUTH_PROXY_CLIENT_SECRET)"));
        }
        if (kind == CredentialKind.CLIENT_SECRET && secret.isEmpty()) {
            problem(Setting.AKS_AUTH_PROXY_CLIENT_SECRET, "is required when AKS_AUTH_PROXY_CREDENTIAL is client-secret");
        }
        return kind;
    }

    private URI authorityHost() {
        Optional<String> host = value(Setting.AZURE_AUTHORITY_HOST);
        if (host.isPresent()) {
            URI uri = httpsUrl(Setting.AZURE_AUTHORITY_HOST, host.get());
            if (uri == null) {
                return null;
            }
            String s = uri.toString();
            return URI.create(s.endsWith("/") ? s : s + "/");
        }
        String cloud = value(Setting.AZURE_CLOUD).orElse("AzurePublicCloud");
        String url = CLOUDS.get(cloud.toLowerCase(Locale.ROOT));
        if (url == null) {
            problem(Setting.AZURE_CLOUD, "'" + cloud + "' is not a known cloud; use AzurePublicCloud, AzureUSGovernment or "
                    + "AzureChinaCloud, or set AZURE_AUTHORITY_HOST");
            return null;
        }
        return URI.create(url);
    }

    private URI redirectUrl() {
        Optional<String> v = value(Setting.AKS_AUTH_PROXY_REDIRECT_URL);
        if (v.isEmpty()) {
            problem(Setting.AKS_AUTH_PROXY_REDIRECT_URL, "is required; set it to the callback URL registered in Entra, "
                    + "https://<your host>/oauth2/callback");
            return null;
        }
        URI uri = parseUri(v.get());
        if (uri == null || uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            problem(Setting.AKS_AUTH_PROXY_REDIRECT_URL, "'" + v.get() + "' is not an absolute URL like https://<your host>/oauth2/callback");
            return null;
        }
        boolean local = Set.of("localhost", "127.0.0.1", "[::1]").contains(uri.getHost().toLowerCase(Locale.ROOT));
        if (!"https".equalsIgnoreCase(uri.getScheme()) && !("http".equalsIgnoreCase(uri.getScheme()) && local)) {
            problem(Setting.AKS_AUTH_PROXY_REDIRECT_URL, "must be an https URL (plain http is allowed only for localhost)");
            return null;
        }
        if (!"/oauth2/callback".equals(uri.getPath())) {
            problem(Setting.AKS_AUTH_PROXY_REDIRECT_URL, "must end in /oauth2/callback, the path this service answers Entra on");
            return null;
        }
        return uri;
    }

    private List<CookieKey> cookieKeys() {
        Optional<String> v = value(Setting.AKS_AUTH_PROXY_COOKIE_SECRETS);
        if (v.isEmpty()) {
            problem(Setting.AKS_AUTH_PROXY_COOKIE_SECRETS, "is required; generate a key with `aks-auth-proxy keygen`");
            return List.of();
        }
        List<CookieKey> keys = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        String[] parts = v.get().split(",");
        if (Arrays.stream(parts).allMatch(String::isBlank)) {
            // "," is set but names no key: the service could not encrypt a cookie, so it is as wrong as unset.
            problem(Setting.AKS_AUTH_PROXY_COOKIE_SECRETS, "holds no key; set one or more comma-separated keys made with `aks-auth-proxy keygen`");
            return List.of();
        }
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i].trim();
            byte[] key = decodeBase64(part);
            if (key == null || key.length != 32) {
                problem(Setting.AKS_AUTH_PROXY_COOKIE_SECRETS, "key " + (i + 1) + " of " + parts.length
                        + " is not base64 of exactly 32 bytes" + (key == null ? "" : " (it decodes to " + key.length + " bytes)")
                        + "; generate one with `aks-auth-proxy keygen`");
                continue;
            }
            CookieKey cookieKey = CookieKey.of(key);
            if (!ids.add(cookieKey.id())) {
                problem(Setting.AKS_AUTH_PROXY_COOKIE_SECRETS, "key " + (i + 1) + " repeats an earlier key; list each key once");
                continue;
            }
            keys.add(cookieKey);
        }
        return List.copyOf(keys);
    }

    private static byte[] decodeBase64(String s) {
        try {
            return (s.contains("-") || s.contains("_") ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private List<String> allowedRedirectDomains(URI redirectUrl) {
        Optional<String> v = value(Setting.AKS_AUTH_PROXY_ALLOWED_REDIRECT_DOMAINS);
        if (v.isEmpty()) {
            if (redirectUrl == null) {
                return List.of();
            }
            int port = redirectUrl.getPort();
            String scheme = redirectUrl.getScheme().toLowerCase(Locale.ROOT);
            boolean defaultPort = port == -1 || (port == 443 && "https".equals(scheme)) || (port == 80 && "http".equals(scheme));
            return List.of(redirectUrl.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port));
        }
        List<String> domains = new ArrayList<>();
        for (String raw : v.get().split(",")) {
            String d = raw.trim().toLowerCase(Locale.ROOT);
            if (d.isEmpty()) {
                continue;
            }
            if (!DOMAIN.matcher(d).matches() || !validPort(d)) {
                problem(Setting.AKS_AUTH_PROXY_ALLOWED_REDIRECT_DOMAINS, "'" + raw.trim()
                        + "' is not a host name; write entries like app.example.com, .example.com or app.example.com:8443");
                continue;
            }
            domains.add(d);
        }
        return List.copyOf(domains);
    }

    private static boolean validPort(String hostAndPort) {
        int colon = hostAndPort.lastIndexOf(':');
        if (colon < 0) {
            return true;
        }
        int port = Integer.parseInt(hostAndPort.substring(colon + 1));
        return port >= 1 && port <= 65535;
    }

    /** The AKS scope, as kubelogin chooses it: AZURE_SCOPE, else AKS_SERVER_APP_ID's .default. */
    private String aksScope() {
        String aksScope = value(Setting.AZURE_SCOPE).orElseGet(() ->
                value(Setting.AKS_SERVER_APP_ID).orElse(AKS_SERVER_APP_ID_DEFAULT) + "/.default");
        if (aksScope.isBlank() || aksScope.chars().anyMatch(Character::isWhitespace)) {
            problem(Setting.AZURE_SCOPE, "'" + aksScope + "' is not a scope; write it like 6dae42f8-4368-4678-94ff-3960e28e3630/.default");
        }
        return aksScope;
    }

    private Map<String, Profile> profiles() {
        Map<String, Profile> profiles = new LinkedHashMap<>();
        String aksScope = aksScope();
        profiles.put(Config.DEFAULT_PROFILE, new Profile(Config.DEFAULT_PROFILE, List.of(aksScope), false));
        Optional<String> file = value(Setting.AKS_AUTH_PROXY_CONFIG);
        if (file.isEmpty()) {
            return Map.copyOf(profiles);
        }
        String where = file.get();
        Object root;
        try {
            root = ProfilesYaml.load(Files.readString(Path.of(file.get()), StandardCharsets.UTF_8), where, problems);
        } catch (IOException e) {
            problem(Setting.AKS_AUTH_PROXY_CONFIG, "cannot read '" + file.get() + "' (" + e.getClass().getSimpleName() + ")");
            return Map.copyOf(profiles);
        } catch (YAMLException e) {
            problem(Setting.AKS_AUTH_PROXY_CONFIG, "'" + file.get() + "' is not valid YAML: " + firstLine(e.getMessage()));
            return Map.copyOf(profiles);
        }
        if (root == null) {
            return Map.copyOf(profiles);
        }
        if (!(root instanceof Map<?, ?> top)) {
            problems.add(new ConfigProblem(where, "must be a mapping with a 'profiles' list"));
            return Map.copyOf(profiles);
        }
        top.keySet().stream().filter(k -> !"profiles".equals(k)).forEach(k ->
                problems.add(new ConfigProblem(where, "unknown key '" + k + "'; the file holds 'profiles'")));
        Object list = top.get("profiles");
        if (list == null) {
            return Map.copyOf(profiles);
        }
        if (!(list instanceof List<?> entries)) {
            problems.add(new ConfigProblem(where, "'profiles' must be a list"));
            return Map.copyOf(profiles);
        }
        for (int i = 0; i < entries.size(); i++) {
            Profile p = profile(where + ": profiles[" + i + "]", entries.get(i));
            if (p == null) {
                continue;
            }
            if (profiles.containsKey(p.name())) {
                problems.add(new ConfigProblem(where + ": profiles[" + i + "]", Config.DEFAULT_PROFILE.equals(p.name())
                        ? "the 'aks' profile is built in; change its scope with AKS_SERVER_APP_ID or AZURE_SCOPE"
                        : "the name '" + p.name() + "' is used twice; profile names must be unique"));
                continue;
            }
            profiles.put(p.name(), p);
        }
        return Map.copyOf(profiles);
    }

    private Profile profile(String where, Object entry) {
        if (!(entry instanceof Map<?, ?> map)) {
            problems.add(new ConfigProblem(where, "must be a mapping with name and scopes"));
            return null;
        }
        int before = problems.size();
        map.keySet().stream().filter(k -> !PROFILE_KEYS.contains(String.valueOf(k))).forEach(k -> problems.add(
                new ConfigProblem(where, "unknown key '" + k + "'; a profile has " + String.join(", ", new java.util.TreeSet<>(PROFILE_KEYS)))));
        Object name = map.get("name");
        if (!(name instanceof String n) || !PROFILE_NAME.matcher(n).matches()) {
            problems.add(new ConfigProblem(where, "'name' must be lower-case letters, digits and '-', like monitor or my-api"));
        }
        Object scopes = map.get("scopes");
        List<String> scopeList = new ArrayList<>();
        if (!(scopes instanceof List<?> l) || l.isEmpty()) {
            problems.add(new ConfigProblem(where, "'scopes' must be a non-empty list, like [\"https://prometheus.monitor.azure.com/.default\"]"));
        } else {
            for (Object s : l) {
                if (!(s instanceof String str) || str.isBlank() || str.chars().anyMatch(Character::isWhitespace)) {
                    problems.add(new ConfigProblem(where, "scope '" + s + "' is not a scope; write one scope per list item"));
                } else {
                    scopeList.add(str);
                }
            }
        }
        Object header = map.containsKey("access_token_header") ? map.get("access_token_header") : Boolean.FALSE;
        if (!(header instanceof Boolean)) {
            problems.add(new ConfigProblem(where, "'access_token_header' must be true or false"));
        }
        Object browser = map.containsKey("browser_redirect") ? map.get("browser_redirect") : Boolean.FALSE;
        if (!(browser instanceof Boolean)) {
            problems.add(new ConfigProblem(where, "'browser_redirect' must be true or false"));
        }
        AllowRules allow = ProfileRulesParser.allow(where, map, problems);
        Optional<RbacRequirement> rbac = ProfileRulesParser.rbac(where, map, problems);
        if (problems.size() > before) {
            return null;
        }
        return new Profile((String) name, scopeList, (Boolean) header, (Boolean) browser, allow, rbac);
    }

    private ClusterAccess clusterAccess(Map<String, Profile> profiles) {
        Optional<URI> apiUrl = value(Setting.AKS_AUTH_PROXY_KUBERNETES_API_URL).map(v -> {
            URI uri = parseUri(v);
            boolean local = uri != null && uri.getHost() != null && Set.of("localhost", "127.0.0.1", "[::1]").contains(uri.getHost());
            if (uri == null || uri.getHost() == null || !("https".equalsIgnoreCase(uri.getScheme())
                    || ("http".equalsIgnoreCase(uri.getScheme()) && local))) {
                problem(Setting.AKS_AUTH_PROXY_KUBERNETES_API_URL, "'" + v + "' is not an https URL like https://kubernetes.default.svc "
                        + "(plain http is allowed only for localhost)");
                return null;
            }
            if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
                // The review paths are appended to the URL's own path; a query, fragment or credentials have no place (and the
                // value is not repeated here, as it may hold a password).
                problem(Setting.AKS_AUTH_PROXY_KUBERNETES_API_URL, "has a query, fragment or user name; give the API server's "
                        + "address, with the path of a prefixed API proxy if there is one, like https://rancher.example.com/k8s/clusters/c-m-abc12");
                return null;
            }
            return uri;
        }).or(() -> value(Setting.KUBERNETES_SERVICE_HOST).flatMap(host -> {
            String port = value(Setting.KUBERNETES_SERVICE_PORT).orElse("443");
            URI uri = parseUri("https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port);
            if (uri == null || uri.getHost() == null || uri.getPort() < 1) {
                problem(Setting.KUBERNETES_SERVICE_HOST, "'" + host + "' and port '" + port + "' do not make an API server address; "
                        + "set AKS_AUTH_PROXY_KUBERNETES_API_URL");
                return Optional.empty();
            }
            return Optional.of(uri);
        }));
        Optional<Path> ca = value(Setting.AKS_AUTH_PROXY_KUBERNETES_CA_FILE).map(Path::of);
        ca.filter(p -> !Files.isReadable(p)).ifPresent(p -> problem(Setting.AKS_AUTH_PROXY_KUBERNETES_CA_FILE,
                "cannot read '" + p + "'; point it at the API server's CA certificate (PEM)"));
        if (ca.isEmpty() && Files.isReadable(ClusterAccess.IN_CLUSTER_CA)) {
            ca = Optional.of(ClusterAccess.IN_CLUSTER_CA);
        }
        boolean urlProblem = problems.stream().anyMatch(p -> p.source().startsWith("KUBERNETES_SERVICE")
                || p.source().equals(Setting.AKS_AUTH_PROXY_KUBERNETES_API_URL.name()));
        if (apiUrl.isEmpty() && !urlProblem) {
            profiles.values().stream().filter(p -> p.rbac().isPresent()).forEach(p -> problems.add(new ConfigProblem(
                    Setting.AKS_AUTH_PROXY_KUBERNETES_API_URL.name(), "is not set and the service does not run in a pod, but profile '"
                    + p.name() + "' has an rbac rule; set it to the API server's URL")));
        }
        Duration ttl = Duration.ofSeconds(60);
        Optional<String> ttlText = value(Setting.AKS_AUTH_PROXY_ACCESS_DECISION_TTL);
        if (ttlText.isPresent()) {
            Optional<Duration> d = DurationParser.parse(ttlText.get());
            if (d.isEmpty() || d.get().compareTo(Duration.ofSeconds(1)) < 0 || d.get().compareTo(Duration.ofHours(1)) > 0) {
                problem(Setting.AKS_AUTH_PROXY_ACCESS_DECISION_TTL, "'" + ttlText.get() + "' is not a duration from 1s to 1h; write it like 60s or 5m");
            } else {
                ttl = d.get();
            }
        }
        return new ClusterAccess(apiUrl, ca, ttl);
    }

    private BearerPolicy bearerPolicy() {
        List<String> audiences = list(Setting.AKS_AUTH_PROXY_BEARER_AUDIENCES).orElseGet(() ->
                List.of(value(Setting.AKS_SERVER_APP_ID).orElse(AKS_SERVER_APP_ID_DEFAULT)));
        audiences.stream().filter(a -> a.chars().anyMatch(Character::isWhitespace)).forEach(a -> problem(Setting.AKS_AUTH_PROXY_BEARER_AUDIENCES,
                "'" + a + "' is not an audience; write ids or URIs separated by commas"));
        List<String> issuers = list(Setting.AKS_AUTH_PROXY_BEARER_ISSUERS).orElse(List.of());
        issuers.stream().map(i -> Map.entry(i, Optional.ofNullable(parseUri(i))))
                .filter(e -> e.getValue().filter(u -> "https".equalsIgnoreCase(u.getScheme()) && u.getHost() != null).isEmpty())
                .map(Map.Entry::getKey).forEach(i -> problem(Setting.AKS_AUTH_PROXY_BEARER_ISSUERS, "'" + i + "' is not an https issuer URL like "
                        + "https://login.microsoftonline.com/<tenant id>/v2.0"));
        return new BearerPolicy(audiences, issuers);
    }

    private Optional<List<String>> list(Setting s) {
        return value(s).map(v -> Arrays.stream(v.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList())
                .filter(l -> !l.isEmpty());
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }

    private Optional<String> value(Setting s) {
        String v = env.get(s.name());
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
    }

    private String required(Setting s, Pattern format, String what) {
        Optional<String> v = value(s);
        if (v.isEmpty()) {
            problem(s, "is required; it " + what);
            return null;
        }
        if (!format.matcher(v.get()).matches()) {
            problem(s, "'" + v.get() + "' is not valid; it " + what);
            return null;
        }
        return v.get();
    }

    private URI httpsUrl(Setting s, String v) {
        URI uri = parseUri(v);
        if (uri == null || !"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
            problem(s, "'" + v + "' is not an https URL");
            return null;
        }
        return uri;
    }

    private static URI parseUri(String v) {
        try {
            return new URI(v);
        } catch (URISyntaxException e) {
            return null;
        }
    }

    private int port(Setting s, int dflt) {
        return integer(s, dflt, 1, 65535);
    }

    private int integer(Setting s, int dflt, int min, int max) {
        Optional<String> v = value(s);
        if (v.isEmpty()) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v.get());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problem(s, "'" + v.get() + "' is not a whole number from " + min + " to " + max);
        return -1;
    }

    private boolean bool(Setting s, boolean dflt) {
        Optional<String> v = value(s);
        if (v.isEmpty()) {
            return dflt;
        }
        if (v.get().equalsIgnoreCase("true") || v.get().equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(v.get());
        }
        problem(s, "'" + v.get() + "' must be true or false");
        return dflt;
    }

    /** The day the first cookie key is due to be replaced: its start, UTC. */
    private Optional<Instant> rotateBy() {
        Optional<String> v = value(Setting.AKS_AUTH_PROXY_COOKIE_SECRETS_ROTATE_BY);
        try {
            return v.map(d -> LocalDate.parse(d).atStartOfDay(ZoneOffset.UTC).toInstant());
        } catch (DateTimeParseException e) {
            problem(Setting.AKS_AUTH_PROXY_COOKIE_SECRETS_ROTATE_BY, "'" + v.orElseThrow() + "' is not a date; write it like 2026-09-30");
            return Optional.empty();
        }
    }

    private Duration shutdownDelay() {
        Optional<String> v = value(Setting.AKS_AUTH_PROXY_SHUTDOWN_DELAY);
        if (v.isEmpty()) {
            return SHUTDOWN_DELAY_DEFAULT;
        }
        Optional<Duration> d = DurationParser.parse(v.get());
        if (d.isEmpty() || d.get().compareTo(Duration.ofMinutes(1)) > 0) {
            problem(Setting.AKS_AUTH_PROXY_SHUTDOWN_DELAY, "'" + v.get() + "' is not a duration from 0s to 60s; write it like 5s");
            return SHUTDOWN_DELAY_DEFAULT;
        }
        return d.get();
    }

    private Duration duration(Setting s, Duration dflt) {
        Optional<String> v = value(s);
        if (v.isEmpty()) {
            return dflt;
        }
        Optional<Duration> d = DurationParser.parse(v.get());
        if (d.isEmpty() || d.get().compareTo(Duration.ofMinutes(1)) < 0) {
            problem(s, "'" + v.get() + "' is not a duration of at least one minute; write it like 12h, 30m or 1h30m");
            return null;
        }
        return d.get();
    }

    private void problem(Setting s, String text) {
        problems.add(new ConfigProblem(s.name(), text));
    }
}
