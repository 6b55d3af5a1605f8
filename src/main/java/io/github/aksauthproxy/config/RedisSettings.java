package io.github.aksauthproxy.config;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The session store setting and the Redis settings: which store, which topology (exactly one of a URL, Sentinels or
 * Cluster nodes), TLS, and how to authenticate. Every problem is added to the caller's list with the variable's name
 * and what to do; nothing is thrown.
 */
public final class RedisSettings {
    private static final Setting URL = Setting.AKS_AUTH_PROXY_REDIS_URL;
    private static final Setting SENTINELS = Setting.AKS_AUTH_PROXY_REDIS_SENTINELS;
    private static final Setting MASTER = Setting.AKS_AUTH_PROXY_REDIS_MASTER_NAME;
    private static final Setting CLUSTER = Setting.AKS_AUTH_PROXY_REDIS_CLUSTER_NODES;
    private static final List<Setting> REDIS_ONLY = List.of(URL, SENTINELS, MASTER, CLUSTER, Setting.AKS_AUTH_PROXY_REDIS_USERNAME,
            Setting.AKS_AUTH_PROXY_REDIS_PASSWORD, Setting.AKS_AUTH_PROXY_REDIS_CA_FILE, Setting.AKS_AUTH_PROXY_REDIS_AUTH);

    private final Map<String, String> env;
    private final List<ConfigProblem> problems;
    /** Set by the first address read; every other address must agree. */
    private Boolean tls;

    private RedisSettings(Map<String, String> env, List<ConfigProblem> problems) {
        this.env = env;
        this.problems = problems;
    }

    /** The Redis configuration when the session store is {@code redis}; empty for the cookie store (or on a problem). */
    public static Optional<RedisConfig> parse(Map<String, String> env, List<ConfigProblem> problems) {
        return new RedisSettings(env, problems).parse();
    }

    private Optional<RedisConfig> parse() {
        SessionStoreKind store = value(Setting.AKS_AUTH_PROXY_SESSION_STORE).map(v -> SessionStoreKind.parse(v).orElseGet(() -> {
            problem(Setting.AKS_AUTH_PROXY_SESSION_STORE, "'" + v + "' is not a session store; use cookie or redis");
            return null;
        })).orElse(SessionStoreKind.COOKIE);
        if (store != SessionStoreKind.REDIS) {
            if (store == SessionStoreKind.COOKIE) {
                REDIS_ONLY.stream().filter(s -> value(s).isPresent()).forEach(s -> problem(s,
                        "is set but AKS_AUTH_PROXY_SESSION_STORE is cookie; set AKS_AUTH_PROXY_SESSION_STORE=redis or remove it"));
            }
            return Optional.empty();
        }
        int before = problems.size();
        RedisConfig.Topology topology = topology();
        RedisConfig.Auth auth = auth();
        Optional<String> username = value(Setting.AKS_AUTH_PROXY_REDIS_USERNAME);
        Optional<Secret> password = value(Setting.AKS_AUTH_PROXY_REDIS_PASSWORD).map(Secret::new);
        if (auth == RedisConfig.Auth.ENTRA) {
            username.ifPresent(u -> problem(Setting.AKS_AUTH_PROXY_REDIS_USERNAME, "must not be set with AKS_AUTH_PROXY_REDIS_AUTH=entra: "
                    + "the user name is the object id of the service's own identity, read from its token"));
            password.ifPresent(p -> problem(Setting.AKS_AUTH_PROXY_REDIS_PASSWORD, "must not be set with AKS_AUTH_PROXY_REDIS_AUTH=entra: "
                    + "the password is the service's own Entra token"));
            if (topology != null && !Boolean.TRUE.equals(tls) && !onLoopback(topology)) {
                problem(Setting.AKS_AUTH_PROXY_REDIS_AUTH, "entra sends the service's Entra token as the password, which must never "
                        + "cross a network in clear; use rediss:// (Azure Managed Redis listens for TLS on port 10000)");
            }
        }
        username.filter(u -> u.chars().anyMatch(c -> c <= ' ')).ifPresent(u -> problem(Setting.AKS_AUTH_PROXY_REDIS_USERNAME,
                "must not contain spaces or control characters; it is the ACL user name"));
        Optional<Path> caFile = value(Setting.AKS_AUTH_PROXY_REDIS_CA_FILE).map(Path::of);
        caFile.filter(p -> !Files.isReadable(p)).ifPresent(p -> problem(Setting.AKS_AUTH_PROXY_REDIS_CA_FILE,
                "cannot read '" + p + "'; point it at a PEM file of the CA certificates that signed the Redis server's certificate"));
        caFile.filter(p -> Boolean.FALSE.equals(tls)).ifPresent(p -> problem(Setting.AKS_AUTH_PROXY_REDIS_CA_FILE,
                "is set but Redis is reached without TLS; write the address as rediss://host:port"));
        if (problems.size() > before) {
            return Optional.empty();
        }
        return Optional.of(new RedisConfig(topology, tls, username, password, caFile, auth));
    }

    private RedisConfig.Topology topology() {
        Optional<String> url = value(URL);
        Optional<String> sentinels = value(SENTINELS);
        Optional<String> cluster = value(CLUSTER);
        long given = (url.isPresent() ? 1 : 0) + (sentinels.isPresent() ? 1 : 0) + (cluster.isPresent() ? 1 : 0);
        if (given != 1) {
            problem(URL, (given == 0 ? "none" : "more than one") + " of AKS_AUTH_PROXY_REDIS_URL, AKS_AUTH_PROXY_REDIS_SENTINELS and "
                    + "AKS_AUTH_PROXY_REDIS_CLUSTER_NODES is set; with AKS_AUTH_PROXY_SESSION_STORE=redis set exactly one");
            return null;
        }
        Optional<String> master = value(MASTER);
        master.filter(m -> sentinels.isEmpty()).ifPresent(m -> problem(MASTER, "is set without AKS_AUTH_PROXY_REDIS_SENTINELS; remove it or list the Sentinels"));
        if (url.isPresent()) {
            URI uri = parseUri(url.get());
            String path = uri == null ? null : uri.getRawPath();
            if (uri == null || uri.getRawUserInfo() != null) {
                problem(URL, "'" + (uri == null ? url.get() : "redis://...@" + uri.getHost()) + "' is not a Redis URL like "
                        + "rediss://my-cache.example.com:6380 (a password goes into AKS_AUTH_PROXY_REDIS_PASSWORD, never into the URL)");
                return null;
            }
            if (path != null && !path.isEmpty() && !path.matches("/([0-9]|1[0-5])?") || uri.getRawQuery() != null || uri.getRawFragment() != null) {
                problem(URL, "'" + url.get() + "' may name only a database number 0-15 after the address, like redis://host:6379/0");
                return null;
            }
            RedisConfig.Endpoint endpoint = endpoint(URL, url.get(), 6379, true);
            int db = path == null || path.length() <= 1 ? 0 : Integer.parseInt(path.substring(1));
            return endpoint == null ? null : new RedisConfig.Standalone(endpoint, db);
        }
        if (sentinels.isPresent()) {
            List<RedisConfig.Endpoint> list = endpoints(SENTINELS, sentinels.get(), 26379);
            if (master.isEmpty()) {
                problem(MASTER, "is required with AKS_AUTH_PROXY_REDIS_SENTINELS; set the master name the Sentinels watch (often mymaster)");
                return null;
            }
            return list == null ? null : new RedisConfig.Sentinel(list, master.get());
        }
        List<RedisConfig.Endpoint> seeds = endpoints(CLUSTER, cluster.get(), 6379);
        return seeds == null ? null : new RedisConfig.Cluster(seeds);
    }

    private List<RedisConfig.Endpoint> endpoints(Setting s, String text, int defaultPort) {
        List<RedisConfig.Endpoint> out = new ArrayList<>();
        for (String raw : text.split(",")) {
            if (!raw.isBlank()) {
                RedisConfig.Endpoint e = endpoint(s, raw.trim(), defaultPort, false);
                if (e == null) {
                    return null;
                }
                out.add(e);
            }
        }
        return out;
    }

    /** A {@code host:port} or {@code redis[s]://host:port}; every address given must agree on TLS. */
    private RedisConfig.Endpoint endpoint(Setting s, String raw, int defaultPort, boolean schemeRequired) {
        boolean hasScheme = raw.contains("://");
        URI uri = parseUri(hasScheme ? raw : "redis://" + raw);
        String scheme = uri == null || uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        boolean pathless = uri != null && (schemeRequired || (uri.getRawPath() == null || uri.getRawPath().isEmpty()));
        if ((schemeRequired && !hasScheme) || !(scheme.equals("redis") || scheme.equals("rediss")) || uri.getHost() == null
                || !pathless || uri.getRawUserInfo() != null) {
            problem(s, "'" + raw + "' is not an address like " + (schemeRequired ? "redis://host:6379 or rediss://host:6380 (TLS)"
                    : "host:port, or rediss://host:port for TLS"));
            return null;
        }
        boolean secure = scheme.equals("rediss");
        if (tls != null && tls != secure) {
            problem(s, "mixes redis:// and rediss:// addresses; every address must use TLS (rediss://) or none");
            return null;
        }
        tls = secure;
        String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
        return new RedisConfig.Endpoint(host, uri.getPort() < 0 ? defaultPort : uri.getPort());
    }

    private RedisConfig.Auth auth() {
        String v = value(Setting.AKS_AUTH_PROXY_REDIS_AUTH).orElse("password").toLowerCase(Locale.ROOT);
        return switch (v) {
            case "password" -> RedisConfig.Auth.PASSWORD;
            case "entra" -> RedisConfig.Auth.ENTRA;
            default -> {
                problem(Setting.AKS_AUTH_PROXY_REDIS_AUTH, "'" + v + "' is not a Redis authentication; use password or entra");
                yield RedisConfig.Auth.PASSWORD;
            }
        };
    }

    private static boolean onLoopback(RedisConfig.Topology t) {
        List<RedisConfig.Endpoint> all = t instanceof RedisConfig.Standalone s ? List.of(s.endpoint())
                : t instanceof RedisConfig.Sentinel s ? s.sentinels() : ((RedisConfig.Cluster) t).seeds();
        return all.stream().allMatch(e -> e.host().equalsIgnoreCase("localhost") || isLoopbackLiteral(e.host()));
    }

    private static boolean isLoopbackLiteral(String host) {
        try {   // only literals: a name is never resolved here
            return host.matches("[0-9.]+|[0-9a-fA-F:]+") && InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private static URI parseUri(String v) {
        try {
            return new URI(v);
        } catch (URISyntaxException e) {
            return null;   // reported by the caller, with the setting's name
        }
    }

    private Optional<String> value(Setting s) {
        String v = env.get(s.name());
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
    }

    private void problem(Setting s, String text) {
        problems.add(new ConfigProblem(s.name(), text));
    }
}
