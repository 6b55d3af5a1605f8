package io.github.aksauthproxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.aksauthproxy.config.Config;
import io.github.aksauthproxy.config.ConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** Every example manifest under ingress/ parses and points at the service's real ports, paths and headers. */
class IngressManifestsTest {
    static final Map<String, String> API_VERSIONS = Map.of(
            "Ingress", "networking.k8s.io/v1",
            "Service", "v1",
            "Middleware", "traefik.io/v1alpha1",
            "IngressRoute", "traefik.io/v1alpha1",
            "HTTPRoute", "gateway.networking.k8s.io/v1",
            "SecurityPolicy", "gateway.envoyproxy.io/v1alpha1",
            "ReferenceGrant", "gateway.networking.k8s.io/v1beta1");
    static final Set<String> BROWSER_PATHS = Set.of("/oauth2/start", "/oauth2/callback", "/oauth2/sign_out", "/oauth2/userinfo", "/oauth2/whoami",
            "/oauth2/error");
    static final Pattern SERVICE_URL = Pattern.compile("https?://aks-auth-proxy\\.[a-z0-9-]+\\.svc\\.cluster\\.local:(\\d+)(/[^?\\s\"';,}]*)");

    static int publicPort;
    static int internalPort;
    static final List<Map<String, Object>> DOCS = new ArrayList<>();
    static final List<String> FILES = new ArrayList<>();

    @BeforeAll
    static void load() throws Exception {
        Config defaults = ConfigLoader.load(Map.of("AZURE_CLIENT_ID", "3c1f5f0e-9a4e-4b8e-a7f5-1d2b3c4d5e6f",
                "AZURE_TENANT_ID", "72f988bf-86f1-41af-91ab-2d7cd011db47", "AKS_AUTH_PROXY_CLIENT_SECRET", "s",
                "AKS_AUTH_PROXY_REDIRECT_URL", "https://apps.example.com/oauth2/callback",
                "AKS_AUTH_PROXY_COOKIE_SECRETS", java.util.Base64.getEncoder().encodeToString(new byte[32])));
        publicPort = defaults.publicPort();
        internalPort = defaults.internalPort();
        try (Stream<Path> walk = Files.walk(Path.of("ingress"))) {
            for (Path p : walk.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                FILES.add(p.toString());
                for (Object doc : new Yaml().loadAll(Files.readString(p))) {
                    Map<String, Object> d = cast(doc);
                    d.put("_file", p.toString());
                    DOCS.add(d);
                }
            }
        }
    }

    @Test
    void everyExampleExistsAndEveryDocumentHasAKnownKindAndApiVersion() {
        assertThat(FILES).contains("ingress/ingress-nginx/protected-app.yaml", "ingress/ingress-nginx/aks-auth-proxy-public.yaml",
                "ingress/ingress-nginx/kubernetes-api.yaml", "ingress/ingress-nginx/headlamp.yaml", "ingress/f5-nginx/protected-app.yaml",
                "ingress/traefik/protected-app.yaml", "ingress/envoy-gateway/protected-app.yaml");
        assertThat(DOCS).hasSizeGreaterThan(10);
        for (Map<String, Object> d : DOCS) {
            assertThat(API_VERSIONS).as(d.get("_file") + " kind").containsKey((String) d.get("kind"));
            assertThat(d.get("apiVersion")).as(d.get("_file") + " " + d.get("kind")).isEqualTo(API_VERSIONS.get(d.get("kind")));
            assertThat(map(d, "metadata").get("name")).as(d.get("_file") + "").isNotNull();
        }
    }

    @Test
    void everyUrlOfTheServiceIsItsAuthPathOnTheInternalPort() {
        int seen = 0;
        for (Map<String, Object> d : DOCS) {
            Matcher m = SERVICE_URL.matcher(new Yaml().dump(d));
            while (m.find()) {
                seen++;
                assertThat(Integer.parseInt(m.group(1))).as(d.get("_file") + ": " + m.group()).isEqualTo(internalPort);
                assertThat(m.group(2)).as(d.get("_file") + "").isEqualTo("/oauth2/auth");
            }
        }
        assertThat(seen).isGreaterThanOrEqualTo(5);
    }

    @Test
    void ingressNginxAppsAskForTheServiceHeadersAndRaiseTheBuffer() {
        List<Map<String, Object>> protectedIngresses = DOCS.stream().filter(d -> "Ingress".equals(d.get("kind")))
                .filter(d -> annotations(d).containsKey("nginx.ingress.kubernetes.io/auth-url")).toList();
        assertThat(protectedIngresses).hasSize(3);
        for (Map<String, Object> d : protectedIngresses) {
            Map<String, Object> a = annotations(d);
            assertThat((String) a.get("nginx.ingress.kubernetes.io/auth-signin")).as(d.get("_file") + "")
                    .matches("https://[a-z0-9.-]+/oauth2/start\\?rd=\\$escaped_request_uri");
            List<String> headers = Arrays.stream(((String) a.get("nginx.ingress.kubernetes.io/auth-response-headers")).split(",")).toList();
            assertThat(headers).as(d.get("_file") + ": every header the service sets").containsExactlyInAnyOrderElementsOf(
                    AuthSubrequestHandler.IDENTITY_HEADERS);
            assertThat(a.get("nginx.ingress.kubernetes.io/proxy-buffer-size")).as(d.get("_file") + "").isEqualTo("32k");
        }
    }

    @Test
    void routesToThePublicPortServeExactlyTheBrowserPathsNeverAuth() {
        List<String> exactPaths = new ArrayList<>();
        for (Map<String, Object> d : DOCS) {
            if (!"Ingress".equals(d.get("kind"))) {
                continue;
            }
            for (Object rule : list(map(d, "spec"), "rules")) {
                for (Object p : list(map(cast(rule), "http"), "paths")) {
                    Map<String, Object> path = cast(p);
                    Map<String, Object> svc = map(map(path, "backend"), "service");
                    if ("aks-auth-proxy".equals(svc.get("name"))) {
                        assertThat(map(svc, "port").get("number")).as(d.get("_file") + "").isEqualTo(publicPort);
                        assertThat(path.get("pathType")).isEqualTo("Exact");
                        exactPaths.add((String) path.get("path"));
                    }
                }
            }
        }
        assertThat(exactPaths).isNotEmpty().allMatch(BROWSER_PATHS::contains);
        assertThat(Set.copyOf(exactPaths)).isEqualTo(BROWSER_PATHS);
        int routes = 0;
        for (Map<String, Object> d : DOCS) {
            String text = new Yaml().dump(d);
            if (Set.of("IngressRoute", "HTTPRoute").contains(d.get("kind")) && text.contains("/oauth2/start")) {
                routes++;
                assertThat(text).as(d.get("_file") + "").contains("port: " + publicPort).doesNotContain("port: " + internalPort)
                        .doesNotContain("/oauth2/auth").contains("/oauth2/callback").contains("/oauth2/sign_out");
            }
        }
        assertThat(routes).isEqualTo(2);
    }

    @Test
    void forwardAuthExamplesAskTheInternalPortAndCopyTheToken() {
        Map<String, Object> traefik = DOCS.stream().filter(d -> "Middleware".equals(d.get("kind")) && map(d, "spec").containsKey("forwardAuth"))
                .findFirst().orElseThrow();
        Map<String, Object> fa = map(map(traefik, "spec"), "forwardAuth");
        assertThat(fa.get("address")).isEqualTo("http://aks-auth-proxy.auth.svc.cluster.local:" + internalPort + "/oauth2/auth?redirect=browser");
        assertThat(fa.get("trustForwardHeader")).isEqualTo(false);
        assertThat(list(fa, "authResponseHeaders")).contains("Authorization", "X-Auth-Request-User");

        Map<String, Object> policy = DOCS.stream().filter(d -> "SecurityPolicy".equals(d.get("kind"))).findFirst().orElseThrow();
        Map<String, Object> ext = map(map(policy, "spec"), "extAuth");
        assertThat(list(ext, "headersToExtAuth")).contains("cookie", "accept");
        Map<String, Object> http = map(ext, "http");
        assertThat(http.get("path")).isEqualTo("/oauth2/auth");
        assertThat(((Map<?, ?>) list(http, "backendRefs").get(0)).get("port")).isEqualTo(internalPort);
        assertThat(list(http, "headersToBackend")).contains("authorization", "x-auth-request-user");
    }

    /**
     * A header the service sets but a proxy config does not list passes to the app as the client sent it, so every
     * example, and the annotation snippets people copy, list all of them.
     */
    @Test
    void everyExampleAndSnippetListsEveryHeaderTheServiceSets() throws IOException {
        List<String> all = AuthSubrequestHandler.IDENTITY_HEADERS;
        assertThat(all).hasSize(9);
        Pattern snippet = Pattern.compile("auth-response-headers: \"([^\"]*)\"");
        for (Path doc : List.of(Path.of("README.md"), Path.of("docs/deploy-aks.md"), Path.of("helm/aks-auth-proxy/templates/NOTES.txt"))) {
            List<String> lists = snippet.matcher(Files.readString(doc)).results().map(m -> m.group(1)).toList();
            assertThat(lists).as(doc.toString()).isNotEmpty()
                    .allSatisfy(l -> assertThat(l.split(",")).as(doc.toString()).containsExactlyInAnyOrderElementsOf(all));
        }

        String f5 = (String) annotations(DOCS.stream().filter(d -> d.get("_file").equals("ingress/f5-nginx/protected-app.yaml"))
                .findFirst().orElseThrow()).get("nginx.org/location-snippets");
        for (String name : all) {
            String variable = "\\$upstream_http_" + name.toLowerCase(java.util.Locale.ROOT).replace('-', '_');
            assertThat(f5).containsPattern("auth_request_set (\\$\\w+) " + variable + ";\\s*proxy_set_header " + name + " \\1;");
        }

        Map<String, Object> traefik = map(map(DOCS.stream().filter(d -> "Middleware".equals(d.get("kind"))
                && map(d, "spec").containsKey("forwardAuth")).findFirst().orElseThrow(), "spec"), "forwardAuth");
        assertThat(list(traefik, "authResponseHeaders")).containsExactlyInAnyOrderElementsOf(all);
        Pattern spellings = Pattern.compile((String) traefik.get("authResponseHeadersRegex"));
        // Go's canonical forms of what clients send; Traefik deletes every request header the regex finds.
        for (String canonical : List.of("X_auth_request_user", "X-Auth_request-User", "X-Auth-Request-Preferred_username",
                "X-Auth-Request-Oid", "X_auth_request_access_token")) {
            assertThat(spellings.matcher(canonical).find()).as(canonical).isTrue();
        }
        assertThat(spellings.matcher("X-Request-Id").find()).isFalse();

        Map<String, Object> envoy = map(map(map(DOCS.stream().filter(d -> "SecurityPolicy".equals(d.get("kind"))).findFirst().orElseThrow(),
                "spec"), "extAuth"), "http");
        assertThat(list(envoy, "headersToBackend")).containsExactlyInAnyOrderElementsOf(
                all.stream().map(h -> h.toLowerCase(java.util.Locale.ROOT)).toList());

        // Caddy: each handle_response of an allowed auth answer (with and without a renewal cookie) copies them all.
        String caddyfile = Files.readString(Path.of("ingress/caddy/Caddyfile.template"));
        List<String> answers = Arrays.stream(caddyfile.split("(?m)^\\s*handle_response ")).skip(1).toList();
        assertThat(answers).hasSize(2);
        for (String answer : answers) {
            Matcher copied = Pattern.compile("(?m)^\\s*request_header (\\S+) \\{rp\\.header\\.(\\S+)}$").matcher(answer.substring(0, answer.indexOf("\n\t\t\t\t}")));
            List<String> names = new java.util.ArrayList<>();
            while (copied.find()) {
                assertThat(copied.group(1)).isEqualTo(copied.group(2));
                names.add(copied.group(1));
            }
            assertThat(names).containsExactlyInAnyOrderElementsOf(all);
        }
    }

    @Test
    void nginxExamplesHandTheAppTheCookieHeaderWithoutTheServicesCookies() throws IOException {
        String template = Files.readString(Path.of("ingress/nginx/nginx.conf.template"));
        assertThat(template).contains("$upstream_cookie {");
        Map<String, Object> app = DOCS.stream().filter(d -> d.get("_file").equals("ingress/ingress-nginx/protected-app.yaml")).findFirst()
                .orElseThrow();
        assertThat((String) annotations(app).get("nginx.ingress.kubernetes.io/configuration-snippet")).contains("proxy_set_header Cookie $upstream_cookie;");
        Map<String, Object> f5 = DOCS.stream().filter(d -> d.get("_file").equals("ingress/f5-nginx/protected-app.yaml")).findFirst().orElseThrow();
        assertThat((String) annotations(f5).get("nginx.org/location-snippets")).contains("proxy_set_header Cookie $upstream_cookie;");
    }

    /**
     * X-Real-IP keys the sign-in limit and the audit's client_ip when the proxy is trusted, so each shipped proxy
     * sets it from the connection on every hop (README: Which proxies to trust); Envoy, which cannot, removes it.
     */
    @Test
    void everyShippedProxyOverwritesXRealIpWithTheConnectionsAddress() throws IOException {
        String caddy = Files.readString(Path.of("ingress/caddy/Caddyfile.template"));
        int hops = count(caddy, "(?m)^\\s*(reverse_proxy|forward_auth) ");
        assertThat(hops).isEqualTo(3);
        assertThat(count(caddy, "(?m)^\\s*header_up X-Real-IP \\{remote_host}$")).isEqualTo(hops);

        String nginx = Files.readString(Path.of("ingress/nginx/nginx.conf.template"));
        for (String location : nginx.split("\\n\\s*location ")) {
            if (location.contains("proxy_pass ")) {
                assertThat(location).contains("proxy_set_header X-Real-IP $remote_addr;");
            }
        }

        Map<String, Object> f5 = DOCS.stream().filter(d -> d.get("_file").equals("ingress/f5-nginx/protected-app.yaml")).findFirst().orElseThrow();
        assertThat((String) annotations(f5).get("nginx.org/server-snippets")).contains("proxy_set_header X-Real-IP $remote_addr;");

        List<Map<String, Object>> envoyRoutes = DOCS.stream().filter(d -> "HTTPRoute".equals(d.get("kind"))).toList();
        assertThat(envoyRoutes).hasSize(2).allSatisfy(route -> assertThat(new Yaml().dump(map(route, "spec")))
                .contains("type: RequestHeaderModifier").contains("remove: [X-Real-IP]"));
    }

    private static int count(String text, String regex) {
        return (int) Pattern.compile(regex).matcher(text).results().count();
    }

    private static Map<String, Object> annotations(Map<String, Object> d) {
        Object a = map(d, "metadata").get("annotations");
        return a == null ? Map.of() : cast(a);
    }

    private static Map<String, Object> map(Map<String, Object> m, String key) {
        Object v = m.get(key);
        assertThat(v).as("key " + key).isInstanceOf(Map.class);
        return cast(v);
    }

    private static List<Object> list(Map<String, Object> m, String key) {
        Object v = m.get(key);
        assertThat(v).as("key " + key).isInstanceOf(List.class);
        return cast(v);
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object o) {
        return (T) o;
    }
}
