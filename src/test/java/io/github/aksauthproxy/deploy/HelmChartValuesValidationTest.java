package io.github.aksauthproxy.deploy;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad values stop the render with a message that names the field. Shape and format errors come from
 * values.schema.json; missing required values come from the templates' {@code fail}, because a
 * schema that required them would also fail {@code helm lint} on the chart's own empty defaults.
 */
class HelmChartValuesValidationTest {

    @BeforeEach
    void emptyCluster() {
        Chart.cluster().reset();
    }

    @Test
    void internalPortAbove65535IsASchemaErrorNamingThePort() {
        String error = Chart.render().values("default").set("ports.internal", 70000).error();

        assertThat(error).contains("values don't meet the specifications of the schema")
                .contains("at '/ports/internal'")
                .contains("maximum");
    }

    @Test
    void publicPortZeroIsASchemaErrorNamingThePort() {
        String error = Chart.render().values("default").set("ports.public", 0).error();

        assertThat(error).contains("at '/ports/public'").contains("minimum");
    }

    @Test
    void nonNumericPortIsASchemaErrorNamingThePort() {
        String error = Chart.render().values("default").set("ports.internal", "internal").error();

        assertThat(error).contains("at '/ports/internal'");
    }

    @Test
    void tokenRequestsInFlightOutside1To1024IsASchemaErrorNamingIt() {
        assertThat(Chart.render().values("default").set("tokenRequestsInFlight", 0).error())
                .contains("at '/tokenRequestsInFlight'").contains("minimum");
        assertThat(Chart.render().values("default").set("tokenRequestsInFlight", 1025).error())
                .contains("at '/tokenRequestsInFlight'").contains("maximum");
    }

    @Test
    void missingClientIdNamesTheValue() {
        String error = Chart.render().values("default").set("azure.clientId", "").error();

        assertThat(error).contains("azure.clientId is required");
    }

    @Test
    void clientIdThatIsNotAGuidIsASchemaErrorNamingIt() {
        String error = Chart.render().values("default").set("azure.clientId", "my-app").error();

        assertThat(error).contains("at '/azure/clientId'");
    }

    @Test
    void misspelledValueIsASchemaErrorNamingIt() {
        String error = Chart.render().values("default").set("azure.clientID", Chart.CLIENT_ID).error();

        assertThat(error).contains("at '/azure'").contains("clientID");
    }

    @Test
    void missingTenantIdNamesTheValue() {
        String error = Chart.render().values("default").set("azure.tenantId", "").error();

        assertThat(error).contains("azure.tenantId is required");
    }

    @Test
    void missingHostNamesTheValue() {
        String error = Chart.render().values("default").set("host", "").error();

        assertThat(error).contains("host is required");
    }

    @Test
    void hostWithASchemeIsASchemaErrorNamingIt() {
        String error = Chart.render().values("default").set("host", "https://auth.example.com").error();

        assertThat(error).contains("at '/host'");
    }

    @Test
    void redirectUrlMustBeTheHttpsCallback() {
        String error = Chart.render().values("default").set("redirectUrl", "http://auth.example.com/callback").error();

        assertThat(error).contains("at '/redirectUrl'");
    }

    @Test
    void cookieKeyThatIsNotBase64Of32BytesIsASchemaErrorNamingIt() {
        String error = Chart.render().values("default").set("cookieSecrets.keys[0]", "changeme").error();

        assertThat(error).contains("at '/cookieSecrets/keys/0'");
    }

    @Test
    void twoCookieKeySourcesAreRefused() {
        String error = Chart.render().values("existing-secret")
                .set("cookieSecrets.keys[0]", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=").error();

        assertThat(error).contains("cookieSecrets.existingSecret and cookieSecrets.keys are both set");
    }

    @Test
    void samePortForBothListenersIsRefused() {
        String error = Chart.render().values("default").set("ports.public", 4181).error();

        assertThat(error).contains("ports.public and ports.internal must differ");
    }

    @Test
    void ingressWithoutHostIsRefused() {
        String error = Chart.render().values("default").set("host", "")
                .set("redirectUrl", "https://auth.example.com/oauth2/callback").set("ingress.enabled", true).error();

        assertThat(error).contains("host is required when ingress.enabled is true");
    }

    @Test
    void sessionLifetimeMustBeADuration() {
        String error = Chart.render().values("default").set("session.lifetime", "12 hours").error();

        assertThat(error).contains("at '/session/lifetime'");
    }

    @Test
    void builtInAksProfileCannotBeRedefined() {
        String error = Chart.render().values("default")
                .set("profiles[0].name", "aks").set("profiles[0].scopes[0]", "api://x/.default").error();

        assertThat(error).contains("profiles: the aks profile is built in");
    }

    @Test
    void profileNamesMustBeUnique() {
        String error = Chart.render().values("default")
                .set("profiles[0].name", "monitor").set("profiles[0].scopes[0]", "api://x/.default")
                .set("profiles[1].name", "monitor").set("profiles[1].scopes[0]", "api://y/.default").error();

        assertThat(error).contains("profiles: the name monitor is used twice");
    }

    @Test
    void profileKeysTheServiceDoesNotKnowAreASchemaErrorNamingThem() {
        String error = Chart.render().values("default")
                .set("profiles[0].name", "monitor").set("profiles[0].scope", "api://x/.default").error();

        assertThat(error).contains("at '/profiles/0'").contains("scope");
    }

    @Test
    void combinedDurationsAreAccepted() {
        Manifests rendered = Chart.render().values("default").set("session.lifetime", "1h30m").manifests();

        assertThat(rendered.env().get("AKS_AUTH_PROXY_SESSION_LIFETIME")).containsEntry("value", "1h30m");
    }
}
