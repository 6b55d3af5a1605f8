package io.github.aksauthproxy.config;

import static io.github.aksauthproxy.config.ConfigLoaderTest.minimal;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Profile allow/rbac rules in the YAML file, and the Kubernetes and bearer settings. */
class ProfileRulesConfigTest {
    @TempDir
    Path dir;

    private Map<String, String> withProfiles(String yaml) throws Exception {
        Path file = dir.resolve("profiles.yaml");
        Files.writeString(file, yaml);
        Map<String, String> env = minimal();
        env.put("AKS_AUTH_PROXY_CONFIG", file.toString());
        env.put("AKS_AUTH_PROXY_KUBERNETES_API_URL", "https://kubernetes.default.svc");
        return env;
    }

    @Test
    void allowAndRbacRulesAreRead() throws Exception {
        Config c = ConfigLoader.load(withProfiles("""
                profiles:
                  - name: grafana
                    scopes: [x/.default]
                    allow:
                      tenants: [72F988BF-86F1-41AF-91AB-2D7CD011DB47]
                      groups: [aaaaaaaa-0000-0000-0000-000000000001]
                      users: ["@Contoso.com", alice@example.com, 11111111-2222-3333-4444-555555555555]
                    rbac: {verb: get, resource: services, subresource: proxy, namespace: monitoring, name: grafana, on_error: allow}
                """));
        Profile p = c.profiles().get("grafana");
        assertThat(p.allow()).isEqualTo(new AllowRules(Set.of("72f988bf-86f1-41af-91ab-2d7cd011db47"),
                Set.of("aaaaaaaa-0000-0000-0000-000000000001"),
                List.of("@contoso.com", "alice@example.com", "11111111-2222-3333-4444-555555555555")));
        assertThat(p.rbac()).hasValue(new RbacRequirement("get", "", "services", Optional.of("proxy"), Optional.of("monitoring"),
                Optional.of("grafana"), true));
        assertThat(p.open()).isFalse();
        assertThat(c.profiles().get("aks").open()).isTrue();
    }

    @Test
    void ruleProblemsAreReportedTogetherWithTheirLocation() throws Exception {
        Map<String, String> env = withProfiles("""
                profiles:
                  - name: a
                    scopes: [x/.default]
                    allow:
                      groups: [admins]
                      users: ["alice@contoso.com@evil.example", "nobody"]
                      roles: [x]
                  - name: b
                    scopes: [x/.default]
                    rbac: {resource: "services/proxy", on_error: maybe, verbs: [get]}
                """);
        String where = env.get("AKS_AUTH_PROXY_CONFIG") + ": ";
        assertThat(ConfigLoaderTest.problems(env)).containsExactlyInAnyOrder(
                where + "profiles[0]: allow: unknown key 'roles'; 'allow' has groups, tenants, users",
                where + "profiles[0]: allow.groups: 'admins' is not a group object id; Entra tokens carry groups as GUIDs",
                where + "profiles[0]: allow.users: 'alice@contoso.com@evil.example' is not a user rule; write an object id, an address "
                        + "like alice@contoso.com (exactly one '@') or a domain like @contoso.com",
                where + "profiles[0]: allow.users: 'nobody' is not a user rule; write an object id, an address "
                        + "like alice@contoso.com (exactly one '@') or a domain like @contoso.com",
                where + "profiles[1]: rbac: unknown key 'verbs'; 'rbac' has group, name, namespace, on_error, resource, subresource, verb",
                where + "profiles[1]: rbac: 'resource' must be a Kubernetes name like get, services, proxy or monitoring, not 'services/proxy'",
                where + "profiles[1]: rbac: 'verb' is required, like get, list or create",
                where + "profiles[1]: rbac: 'resource' is required, like services or pods (plural, lower case)",
                where + "profiles[1]: rbac: 'on_error' must be deny (the default: 503 while the API server cannot answer) or allow");
    }

    @Test
    void rbacRuleWithoutAnApiServerIsAProblem() throws Exception {
        Map<String, String> env = withProfiles("""
                profiles:
                  - name: a
                    scopes: [x/.default]
                    rbac: {verb: get, resource: pods}
                """);
        env.remove("AKS_AUTH_PROXY_KUBERNETES_API_URL");
        assertThat(ConfigLoaderTest.problems(env)).containsExactly("AKS_AUTH_PROXY_KUBERNETES_API_URL: is not set and the service does "
                + "not run in a pod, but profile 'a' has an rbac rule; set it to the API server's URL");
        env.put("KUBERNETES_SERVICE_HOST", "10.0.0.1");
        env.put("KUBERNETES_SERVICE_PORT", "443");
        assertThat(ConfigLoader.load(env).cluster().apiUrl()).hasValue(URI.create("https://10.0.0.1:443"));
    }

    @Test
    void kubernetesAndBearerSettingsHaveTheDocumentedDefaults() throws Exception {
        Config c = ConfigLoader.load(minimal());
        assertThat(c.cluster().apiUrl()).isEmpty();
        assertThat(c.cluster().decisionTtl()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.bearer().audiences()).containsExactly("6dae42f8-4368-4678-94ff-3960e28e3630");
        assertThat(c.bearer().issuers()).isEmpty();
        Map<String, String> env = minimal();
        env.put("AKS_AUTH_PROXY_ACCESS_DECISION_TTL", "2h");
        env.put("AKS_AUTH_PROXY_KUBERNETES_API_URL", "http://kubernetes.default.svc");
        env.put("AKS_AUTH_PROXY_BEARER_ISSUERS", "http://sts.windows.net/x/");
        assertThat(ConfigLoaderTest.problems(env)).containsExactlyInAnyOrder(
                "AKS_AUTH_PROXY_ACCESS_DECISION_TTL: '2h' is not a duration from 1s to 1h; write it like 60s or 5m",
                "AKS_AUTH_PROXY_KUBERNETES_API_URL: 'http://kubernetes.default.svc' is not an https URL like "
                        + "https://kubernetes.default.svc (plain http is allowed only for localhost)",
                "AKS_AUTH_PROXY_BEARER_ISSUERS: 'http://sts.windows.net/x/' is not an https issuer URL like "
                        + "https://login.microsoftonline.com/<tenant id>/v2.0");
    }

    @Test
    void kubernetesApiUrlKeepsItsPathAndRefusesWhatCannotBeKept() throws Exception {
        Map<String, String> env = minimal();
        env.put("AKS_AUTH_PROXY_KUBERNETES_API_URL", "https://rancher.example.com/k8s/clusters/c-m-abc12");
        assertThat(ConfigLoader.load(env).cluster().apiUrl()).hasValue(URI.create("https://rancher.example.com/k8s/clusters/c-m-abc12"));
        for (String unusable : new String[] {"https://k.example.com/api?x=1", "https://k.example.com/#top", "https://admin:hunter2@k.example.com"}) {
            env.put("AKS_AUTH_PROXY_KUBERNETES_API_URL", unusable);
            assertThat(ConfigLoaderTest.problems(env)).as(unusable).containsExactly("AKS_AUTH_PROXY_KUBERNETES_API_URL: has a query, "
                    + "fragment or user name; give the API server's address, with the path of a prefixed API proxy if there is one, "
                    + "like https://rancher.example.com/k8s/clusters/c-m-abc12");
        }
    }

    @Test
    void duplicateKeysAreProblemsNamingTheProfileAndTheKey() throws Exception {
        Map<String, String> env = withProfiles("""
                profiles:
                  - name: grafana
                    scopes: [x/.default]
                    allow:
                      groups: [aaaaaaaa-0000-0000-0000-000000000001]
                    allow: {tenants: [72f988bf-86f1-41af-91ab-2d7cd011db47]}
                  - name: monitor
                    scopes: [x/.default]
                    allow:
                      users: [alice@contoso.com]
                      users: ["@contoso.com"]
                    rbac: {verb: get, resource: pods, verb: list}
                profiles: []
                """);
        String where = env.get("AKS_AUTH_PROXY_CONFIG") + ": ";
        String why = ": YAML keeps only the last one, so a rule could be lost without a word; give each key once";
        assertThat(ConfigLoaderTest.problems(env)).containsExactlyInAnyOrder(
                where + "profiles[0]: 'allow' is given twice (lines 4 and 6) in profile 'grafana'" + why,
                where + "profiles[1]: allow: 'users' is given twice (lines 10 and 11) in profile 'monitor'" + why,
                where + "profiles[1]: rbac: 'verb' is given twice (line 12) in profile 'monitor'" + why,
                where + "'profiles' is given twice (lines 1 and 13)" + why);
    }

    @Test
    void allowThatListsNobodyIsAProblemNotAnOpenDoor() throws Exception {
        Map<String, String> env = withProfiles("""
                profiles:
                  - {name: empty-groups, scopes: [x/.default], allow: {groups: []}}
                  - {name: empty-mapping, scopes: [x/.default], allow: {}}
                  - name: no-value
                    scopes: [x/.default]
                    allow:
                  - {name: all-empty, scopes: [x/.default], allow: {tenants: [], groups: [], users: []}}
                  - {name: one-empty, scopes: [x/.default], allow: {tenants: [72f988bf-86f1-41af-91ab-2d7cd011db47], users: []}}
                  - name: no-rbac
                    scopes: [x/.default]
                    rbac:
                """);
        String where = env.get("AKS_AUTH_PROXY_CONFIG") + ": ";
        String nobody = "lists no tenant, group or user, which would let everyone with a session in; list at least one, or remove 'allow'";
        assertThat(ConfigLoaderTest.problems(env)).containsExactlyInAnyOrder(
                where + "profiles[0]: allow: 'allow' of profile 'empty-groups' " + nobody,
                where + "profiles[1]: allow: 'allow' of profile 'empty-mapping' " + nobody,
                where + "profiles[2]: allow: 'allow' of profile 'no-value' " + nobody,
                where + "profiles[3]: allow: 'allow' of profile 'all-empty' " + nobody,
                where + "profiles[4]: allow.users: is an empty list, which sets no condition; list at least one entry, or remove 'users'",
                where + "profiles[5]: rbac: 'rbac' of profile 'no-rbac' is empty; write a rule like {verb: get, resource: services, "
                        + "subresource: proxy, namespace: monitoring, name: grafana}, or remove 'rbac'");
    }
}
