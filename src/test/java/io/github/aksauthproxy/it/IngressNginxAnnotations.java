package io.github.aksauthproxy.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.Yaml;

/**
 * The annotations of a shipped ingress-nginx example (the Ingress with {@code auth-url}) and the nginx lines
 * ingress-nginx renders from them, so the nginx the tests run protects exactly as much as the example does.
 */
final class IngressNginxAnnotations {
    static final Path PROTECTED_APP = Path.of("ingress/ingress-nginx/protected-app.yaml");
    static final String AUTH_URL = "nginx.ingress.kubernetes.io/auth-url";
    static final String AUTH_RESPONSE_HEADERS = "nginx.ingress.kubernetes.io/auth-response-headers";
    static final String CONFIGURATION_SNIPPET = "nginx.ingress.kubernetes.io/configuration-snippet";
    /** ingress-nginx's own check of a header name in auth-response-headers (internal/ingress/annotations/authreq). */
    private static final Pattern HEADER_NAME = Pattern.compile("[a-zA-Z\\d\\-_]+");

    private final Map<String, String> annotations;

    private IngressNginxAnnotations(Map<String, String> annotations) {
        this.annotations = annotations;
    }

    /** The annotations of the one protected Ingress (the one with auth-url) in the manifest. */
    @SuppressWarnings("unchecked")
    static IngressNginxAnnotations of(Path manifest) throws IOException {
        List<Map<String, String>> found = new ArrayList<>();
        for (Object doc : new Yaml().loadAll(Files.readString(manifest))) {
            Map<String, Object> d = (Map<String, Object>) doc;
            Map<String, Object> metadata = (Map<String, Object>) d.get("metadata");
            Map<String, String> a = (Map<String, String>) metadata.get("annotations");
            if ("Ingress".equals(d.get("kind")) && a != null && a.containsKey(AUTH_URL)) {
                found.add(a);
            }
        }
        if (found.size() != 1) {
            throw new IllegalArgumentException(manifest + ": expected one Ingress with " + AUTH_URL + ", found " + found.size());
        }
        return new IngressNginxAnnotations(found.get(0));
    }

    /** The header names of auth-response-headers, split and trimmed as ingress-nginx does. */
    List<String> responseHeaders() {
        List<String> names = new ArrayList<>();
        for (String raw : annotations.getOrDefault(AUTH_RESPONSE_HEADERS, "").split(",")) {
            String name = raw.trim();
            if (name.isEmpty()) {
                continue;
            }
            if (!HEADER_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("ingress-nginx refuses the auth response header name '" + name + "'");
            }
            names.add(name);
        }
        return names;
    }

    /**
     * What ingress-nginx's template renders for auth-response-headers (buildAuthResponseHeaders): each header taken
     * from the auth answer and set on the request to the app, replacing any client-sent copy.
     */
    String authResponseHeaderLines() {
        StringBuilder out = new StringBuilder();
        List<String> names = responseHeaders();
        for (int i = 0; i < names.size(); i++) {
            String variable = names.get(i).toLowerCase(java.util.Locale.ROOT).replace('-', '_');
            out.append("            auth_request_set $authHeader").append(i).append(" $upstream_http_").append(variable).append(";\n");
            out.append("            proxy_set_header '").append(names.get(i)).append("' $authHeader").append(i).append(";\n");
        }
        return out.toString();
    }

    /** The configuration-snippet, inserted into the protected location as ingress-nginx does; empty when none. */
    String configurationSnippet() {
        return annotations.getOrDefault(CONFIGURATION_SNIPPET, "").strip();
    }
}
