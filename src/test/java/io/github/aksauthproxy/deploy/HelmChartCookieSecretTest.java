package io.github.aksauthproxy.deploy;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import static io.github.aksauthproxy.deploy.Manifests.at;
import static io.github.aksauthproxy.deploy.Manifests.map;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where the cookie keys come from. The lookup of the release's own Secret runs against
 * {@link FakeKubernetesApi}, standing in for the cluster during {@code helm install}/{@code upgrade}.
 */
class HelmChartCookieSecretTest {

    private static final String SECRET_PATH = "GET /api/v1/namespaces/" + Chart.NAMESPACE + "/secrets/" + Chart.FULLNAME;
    private static final String KEY_A = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    private static final String KEY_B = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";

    @BeforeEach
    void emptyCluster() {
        Chart.cluster().reset();
    }

    private static String cookieSecrets(Manifests rendered) {
        String data = at(rendered.one("Secret"), "data", "cookie-secrets");
        return new String(Base64.getDecoder().decode(data), StandardCharsets.UTF_8);
    }

    private static String secretChecksum(Manifests rendered) {
        return (String) map(rendered.deployment(), "spec", "template", "metadata", "annotations").get("checksum/secret");
    }

    @Test
    void firstInstallGeneratesOne32ByteKeyAfterAskingTheCluster() {
        Manifests rendered = Chart.render().values("default").manifests();

        String keys = cookieSecrets(rendered);
        assertThat(keys).doesNotContain(",");
        assertThat(Base64.getDecoder().decode(keys)).hasSize(32);
        assertThat(Chart.cluster().requests()).contains(SECRET_PATH);
    }

    @Test
    void withoutAnExistingSecretEveryRenderGeneratesAnotherKey() {
        String first = cookieSecrets(Chart.render().values("default").manifests());
        String second = cookieSecrets(Chart.render().values("default").manifests());

        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void upgradeKeepsTheKeysOfTheReleasesSecret() {
        String stored = KEY_A + "," + KEY_B;
        Chart.cluster().putSecret(Chart.NAMESPACE, Chart.FULLNAME, Map.of("cookie-secrets",
                Base64.getEncoder().encodeToString(stored.getBytes(StandardCharsets.UTF_8))));

        Manifests first = Chart.render().values("default").manifests();
        Manifests second = Chart.render().values("default").manifests();

        assertThat(cookieSecrets(first)).isEqualTo(stored);
        assertThat(cookieSecrets(second)).isEqualTo(stored);
        assertThat(secretChecksum(first)).isEqualTo(secretChecksum(second));
    }

    @Test
    void secretOfAnotherNameIsNotReused() {
        Chart.cluster().putSecret(Chart.NAMESPACE, "something-else", Map.of("cookie-secrets",
                Base64.getEncoder().encodeToString(KEY_A.getBytes(StandardCharsets.UTF_8))));

        assertThat(cookieSecrets(Chart.render().values("default").manifests())).isNotEqualTo(KEY_A);
    }

    @Test
    void keysFromValuesAreStoredInOrderWithoutAskingTheCluster() {
        Manifests rendered = Chart.render().values("default")
                .set("cookieSecrets.keys[0]", KEY_B).set("cookieSecrets.keys[1]", KEY_A).manifests();

        assertThat(cookieSecrets(rendered)).isEqualTo(KEY_B + "," + KEY_A);
        assertThat(Chart.cluster().requests()).doesNotContain(SECRET_PATH);
    }

    @Test
    void keysFromValuesReplaceTheKeysInTheCluster() {
        Chart.cluster().putSecret(Chart.NAMESPACE, Chart.FULLNAME, Map.of("cookie-secrets",
                Base64.getEncoder().encodeToString(KEY_A.getBytes(StandardCharsets.UTF_8))));

        Manifests rendered = Chart.render().values("default").set("cookieSecrets.keys[0]", KEY_B).manifests();

        assertThat(cookieSecrets(rendered)).isEqualTo(KEY_B);
    }

    @Test
    void existingSecretIsReferencedAndNoSecretIsRendered() {
        Manifests rendered = Chart.render().values("existing-secret").manifests();

        assertThat(rendered.ofKind("Secret")).isEmpty();
        assertThat(map(rendered.env().get("AKS_AUTH_PROXY_COOKIE_SECRETS"), "valueFrom", "secretKeyRef"))
                .isEqualTo(Map.of("name", "aks-auth-proxy-cookie-keys", "key", "cookie-secrets"));
        assertThat(Chart.cluster().requests()).doesNotContain(SECRET_PATH);
    }

    @Test
    void changedKeysRollThePodsAndUnchangedKeysDoNot() {
        String a1 = secretChecksum(Chart.render().values("default").set("cookieSecrets.keys[0]", KEY_A).manifests());
        String a2 = secretChecksum(Chart.render().values("default").set("cookieSecrets.keys[0]", KEY_A).manifests());
        String b = secretChecksum(Chart.render().values("default").set("cookieSecrets.keys[0]", KEY_B).manifests());

        assertThat(a1).isEqualTo(a2).isNotEqualTo(b);
    }

    @Test
    void changedProfilesRollThePods() {
        String none = configChecksum(Chart.render().values("default").manifests());
        String monitor = configChecksum(Chart.render().values("default")
                .set("profiles[0].name", "monitor").set("profiles[0].scopes[0]", "https://prometheus.monitor.azure.com/.default")
                .manifests());
        String api = configChecksum(Chart.render().values("default")
                .set("profiles[0].name", "monitor").set("profiles[0].scopes[0]", "api://x/access_as_user")
                .manifests());

        assertThat(monitor).isNotEqualTo(none).isNotEqualTo(api);
    }

    private static String configChecksum(Manifests rendered) {
        return (String) map(rendered.deployment(), "spec", "template", "metadata", "annotations").get("checksum/config");
    }
}
