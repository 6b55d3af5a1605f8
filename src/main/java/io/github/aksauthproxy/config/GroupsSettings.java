package io.github.aksauthproxy.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The settings of group resolution: where Microsoft Graph is (by the cloud of the authority host; a stand-in only on
 * loopback, for tests), which delegated scope the user's Graph token has, how long answers are kept, and the byte cap
 * of the groups header. Every problem is added to the caller's list with the variable's name and what to do.
 */
public final class GroupsSettings {
    /** Microsoft Graph of each cloud, by the cloud's authority host (Microsoft: "National cloud deployments"). */
    private static final Map<String, String> GRAPH_BY_AUTHORITY = Map.of(
            "login.microsoftonline.com", "https://graph.microsoft.com",
            "login.microsoftonline.us", "https://graph.microsoft.us",
            "login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn",
            "login.partner.microsoftonline.cn", "https://microsoftgraph.chinacloudapi.cn");
    private static final Set<String> GRAPH_HOSTS = Set.of("graph.microsoft.com", "graph.microsoft.us", "dod-graph.microsoft.us",
            "microsoftgraph.chinacloudapi.cn");
    private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]");
    /** Microsoft Graph's application id, the same in every cloud: {@code <id>/User.Read} names Graph too. */
    private static final String GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";
    private static final Duration MIN_TTL = Duration.ofSeconds(10);
    private static final Duration MAX_TTL = Duration.ofHours(1);

    private final Map<String, String> env;
    private final List<ConfigProblem> problems;

    private GroupsSettings(Map<String, String> env, List<ConfigProblem> problems) {
        this.env = env;
        this.problems = problems;
    }

    /** @param authorityHost the parsed authority host, or null when it was not valid (a problem was reported for it) */
    public static GroupsConfig parse(Map<String, String> env, URI authorityHost, List<ConfigProblem> problems) {
        return new GroupsSettings(env, problems).parse(authorityHost);
    }

    private GroupsConfig parse(URI authorityHost) {
        Optional<String> cloudGraph = Optional.ofNullable(authorityHost).map(URI::getHost)
                .map(h -> GRAPH_BY_AUTHORITY.get(h.toLowerCase(Locale.ROOT)));
        Optional<URI> graphUrl = value(Setting.AKS_AUTH_PROXY_GRAPH_URL).map(this::graphUrl).or(() -> cloudGraph.map(URI::create));
        String scope = value(Setting.AKS_AUTH_PROXY_GRAPH_SCOPE).map(this::graphScope)
                .orElseGet(() -> cloudGraph.orElse("https://graph.microsoft.com") + "/User.Read");
        Duration ttl = cacheTtl();
        int maxBytes = maxBytes();
        return new GroupsConfig(graphUrl, scope, ttl, maxBytes);
    }

    /**
     * Only Graph itself or a stand-in on loopback: the user's Graph token goes wherever this points, so it must never
     * be a host an attacker could run (and it is never a URL taken from a token, such as {@code _claim_sources}).
     */
    private URI graphUrl(String v) {
        URI uri = parse(v);
        boolean ok = uri != null && "https".equalsIgnoreCase(uri.getScheme()) && uri.getHost() != null && uri.getRawUserInfo() == null
                && uri.getRawQuery() == null && uri.getRawFragment() == null && (uri.getRawPath() == null || uri.getRawPath().isEmpty()
                || "/".equals(uri.getRawPath()));
        String host = ok ? uri.getHost().toLowerCase(Locale.ROOT) : "";
        if (!ok || !(LOOPBACK.contains(host) || GRAPH_HOSTS.contains(host) && uri.getPort() == -1)) {
            problem(Setting.AKS_AUTH_PROXY_GRAPH_URL, "'" + v + "' is not Microsoft Graph or a stand-in on loopback; it is for tests only "
                    + "(https://localhost:<port>); leave it unset in production, where the cloud of the authority host decides");
            return null;
        }
        String s = uri.toString();
        return URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
    }

    private String graphScope(String v) {
        String lower = v.toLowerCase(Locale.ROOT);
        boolean graph = GRAPH_HOSTS.stream().anyMatch(h -> lower.startsWith("https://" + h + "/")) || lower.startsWith(GRAPH_APP_ID + "/");
        if (!graph || v.chars().anyMatch(Character::isWhitespace) || v.endsWith("/")) {
            problem(Setting.AKS_AUTH_PROXY_GRAPH_SCOPE, "'" + v + "' is not one delegated scope of Microsoft Graph; write it like "
                    + "https://graph.microsoft.com/User.Read");
        }
        return v;
    }

    private Duration cacheTtl() {
        Optional<String> v = value(Setting.AKS_AUTH_PROXY_GROUPS_CACHE_TTL);
        if (v.isEmpty()) {
            return Duration.ofMinutes(10);
        }
        Optional<Duration> d = DurationParser.parse(v.get());
        if (d.isEmpty() || d.get().compareTo(MIN_TTL) < 0 || d.get().compareTo(MAX_TTL) > 0) {
            problem(Setting.AKS_AUTH_PROXY_GROUPS_CACHE_TTL, "'" + v.get() + "' is not a duration from 10s to 1h; write it like 10m");
            return Duration.ofMinutes(10);
        }
        return d.get();
    }

    private int maxBytes() {
        Optional<String> v = value(Setting.AKS_AUTH_PROXY_GROUPS_HEADER_MAX_BYTES);
        if (v.isEmpty()) {
            return 4096;
        }
        try {
            int n = Integer.parseInt(v.get());
            if (n >= 256 && n <= 32768) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problem(Setting.AKS_AUTH_PROXY_GROUPS_HEADER_MAX_BYTES, "'" + v.get() + "' is not a whole number from 256 to 32768; "
                + "keep it well under the proxy's buffer for auth answers (ingress-nginx: proxy-buffer-size)");
        return 4096;
    }

    private static URI parse(String v) {
        try {
            return new URI(v);
        } catch (URISyntaxException e) {
            return null;
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
