package io.github.aksauthproxy.it;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The demo's Kubernetes API server, fabric8's kubernetes-server-mock over HTTPS: it knows the caller from the AKS token
 * the service sends on the user's behalf (as AKS does with Entra ID: the UPN is the Kubernetes user, the group object
 * ids its groups), answers a SelfSubjectReview with that identity, and a SelfSubjectAccessReview with one RBAC rule:
 * the {@link #GRAFANA_VIEWERS} may get services/proxy grafana in the monitoring namespace, nobody else may do anything.
 * The token is decoded, not verified: a stand-in, like the one for Entra that issued it.
 */
public final class DemoCluster implements AutoCloseable {
    /** Who the demo's RBAC lets into the RBAC-gated app: type "Alice" (or alice) on the login page. */
    static final Set<String> GRAFANA_VIEWERS = Set.of("alice@contoso.example");
    /** The rule of the demo's `rbac` profile, as the profile YAML writes it. */
    public static final String RULE = "{verb: get, resource: services, subresource: proxy, namespace: monitoring, name: grafana}";

    private final KubernetesMockServer server;

    private DemoCluster(KubernetesMockServer server) {
        this.server = server;
    }

    public static DemoCluster start() {
        KubernetesMockServer server = new KubernetesMockServer(true);
        server.init(InetAddress.getLoopbackAddress(), 0);
        server.expect().post().withPath(KubernetesAccessTest.SSR).andReply(201, DemoCluster::selfSubjectReview).always();
        server.expect().post().withPath(KubernetesAccessTest.SSAR).andReply(201, DemoCluster::selfSubjectAccessReview).always();
        return new DemoCluster(server);
    }

    public String url() {
        return "https://localhost:" + server.getPort();
    }

    public String caFile() {
        return server.getSelfSignedCertificate().certificatePath();
    }

    private static Object selfSubjectReview(RecordedRequest request) {
        Identity who = Identity.of(request);
        return Map.of("apiVersion", "authentication.k8s.io/v1", "kind", "SelfSubjectReview",
                "status", Map.of("userInfo", Map.of("username", who.username(), "groups", who.groups())));
    }

    private static Object selfSubjectAccessReview(RecordedRequest request) {
        Identity who = Identity.of(request);
        JsonObject asked = new JsonObject(request.getUtf8Body()).getJsonObject("spec", new JsonObject())
                .getJsonObject("resourceAttributes", new JsonObject());
        boolean grafana = "get".equals(asked.getString("verb")) && "services".equals(asked.getString("resource"))
                && "proxy".equals(asked.getString("subresource")) && "monitoring".equals(asked.getString("namespace"))
                && "grafana".equals(asked.getString("name"));
        boolean allowed = grafana && GRAFANA_VIEWERS.contains(who.username());
        return Map.of("apiVersion", "authorization.k8s.io/v1", "kind", "SelfSubjectAccessReview",
                "status", Map.of("allowed", allowed, "reason", allowed
                        ? "RBAC: allowed by RoleBinding \"grafana-viewers/monitoring\" of Role \"grafana-viewer\" to User \"" + who.username() + "\""
                        : ""));
    }

    /** The Kubernetes identity of the bearer token, as AKS maps Entra users: the UPN, and the group object ids. */
    private record Identity(String username, List<String> groups) {
        static Identity of(RecordedRequest request) {
            String authorization = request.getHeader("Authorization");
            try {
                JWTClaimsSet claims = JWTParser.parse(authorization.substring("Bearer ".length())).getJWTClaimsSet();
                String upn = claims.getStringClaim("upn") != null ? claims.getStringClaim("upn") : claims.getStringClaim("preferred_username");
                List<String> groups = new ArrayList<>(claims.getStringListClaim("groups") == null ? List.of() : claims.getStringListClaim("groups"));
                groups.add("system:authenticated");
                return new Identity(upn.toLowerCase(Locale.ROOT), groups);
            } catch (Exception e) {
                return new Identity("system:anonymous", List.of("system:unauthenticated"));
            }
        }
    }

    @Override
    public void close() {
        server.destroy();
    }
}
