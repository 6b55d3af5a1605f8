package io.github.aksauthproxy.config;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
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
    private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.-]{0,253}");
    private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern DOMAIN = Pattern.compile("\\.?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\\d{1,5})?");
    private static final Pattern PROFILE_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Set<String> PROFILE_KEYS = Set.of("name", "scopes", "access_token_header");
    private static final Duration MAX_LIFETIME = Duration.ofDays(90);

    private final Map<String, String> env;
    private final List<ConfigProblem> problems = new ArrayList<>();

    private ConfigLoader(Map<String, String> env) {
        this.env = env;
    }

    /** Reads the configuration, or throws with every problem found. */
    public static Config load(Map<String, String> env) throws InvalidConfigException {
        ConfigLoader loader = new ConfigLoader(env);
        Config config = loader.build();
        if (!loader.problems.isEmpty()) {
            throw new InvalidConfigException(loader.problems);
        }
        return config;
    }

    private Config build() {
        rejectUnknownSettings();
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
        URI authorityHost = authorityHost();
        URI discovery = value(Setting.AKS_AUTH_PROXY_OIDC_DISCOVERY_URL)
                .map(v -> httpsUrl(Setting.AKS_AUTH_PROXY_OIDC_DISCOVERY_URL, v))
                .orElseGet(() -> authorityHost == null || tenantId == null ? null
                        : URI.create(authorityHost + tenantId + "/v2.0/.well-known/openid-configuration"));
        Optional<Path> caFile = value(Setting.AKS_AUTH_PROXY_IDP_CA_FILE).map(Path::of);
        caFile.filter(p -> !Files.isReadable(p)).ifPresent(p -> problem(Setting.AKS_AUTH_PROXY_IDP_CA_FILE,
                "cannot read '" + p + "'; point it at a PEM file of CA certificates"));
        URI redirectUrl = redirectUrl();
        List<CookieKey> keys = cookieKeys();
        Optional<String> cookieDomain = value(Setting.AKS_AUTH_PROXY_COOKIE_DOMAIN).map(d -> d.toLowerCase(Locale.ROOT));
        cookieDomain.filter(d -> !DOMAIN.matcher(d).matches() || d.contains(":")).ifPresent(d -> problem(
                Setting.AKS_AUTH_PROXY_COOKIE_DOMAIN, "'" + d + "' is not a domain name; write it like '.example.com' or 'app.example.com'"));
        List<String> allowed = allowedRedirectDomains(redirectUrl);
        String listen = value(Setting.AKS_AUTH_PROXY_LISTEN_ADDRESS).orElse("0.0.0.0");
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
        LogFormat logFormat = logFormat();
        List<Cidr> trustedProxies = trustedProxies();
        RateLimit authLimit = rateLimit(Setting.AKS_AUTH_PROXY_AUTH_RATE_BURST, 300, Setting.AKS_AUTH_PROXY_AUTH_RATE_PER_SECOND, 50,
                Duration.ofSeconds(1));
        RateLimit signInLimit = rateLimit(Setting.AKS_AUTH_PROXY_SIGN_IN_RATE_BURST, 20, Setting.AKS_AUTH_PROXY_SIGN_IN_RATE_PER_MINUTE, 10,
                Duration.ofMinutes(1));
        if (!problems.isEmpty()) {
            return null;
        }
        return new Config(clientId, tenantId, credential, tokenFile, secret, authorityHost, discovery, caFile, redirectUrl,
                keys, cookieDomain, allowed, listen, publicPort, internalPort, lifetime, idle, groupsLimit, idpSignOut, profiles,
                logFormat, trustedProxies, authLimit, signInLimit);
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
                problem(Setting.AKS_AUTH_PROXY_CREDENTIAL, "'" + chosen.get() + "' is not a credential source; use workload-identity or client-secret");
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

    private Map<String, Profile> profiles() {
        Map<String, Profile> profiles = new LinkedHashMap<>();
        String aksScope = value(Setting.AZURE_SCOPE).orElseGet(() ->
                value(Setting.AKS_SERVER_APP_ID).orElse(AKS_SERVER_APP_ID_DEFAULT) + "/.default");
        if (aksScope.isBlank() || aksScope.chars().anyMatch(Character::isWhitespace)) {
            problem(Setting.AZURE_SCOPE, "'" + aksScope + "' is not a scope; write it like 6dae42f8-4368-4678-94ff-3960e28e3630/.default");
        }
        profiles.put(Config.DEFAULT_PROFILE, new Profile(Config.DEFAULT_PROFILE, List.of(aksScope), false));
        Optional<String> file = value(Setting.AKS_AUTH_PROXY_CONFIG);
        if (file.isEmpty()) {
            return Map.copyOf(profiles);
        }
        Object root;
        try (Reader reader = Files.newBufferedReader(Path.of(file.get()), StandardCharsets.UTF_8)) {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
        } catch (IOException e) {
            problem(Setting.AKS_AUTH_PROXY_CONFIG, "cannot read '" + file.get() + "' (" + e.getClass().getSimpleName() + ")");
            return Map.copyOf(profiles);
        } catch (YAMLException e) {
            problem(Setting.AKS_AUTH_PROXY_CONFIG, "'" + file.get() + "' is not valid YAML: " + firstLine(e.getMessage()));
            return Map.copyOf(profiles);
        }
        String where = file.get();
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
        if (problems.size() > before) {
            return null;
        }
        return new Profile((String) name, scopeList, (Boolean) header);
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
