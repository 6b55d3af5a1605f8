package io.github.aksauthproxy.deploy;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** NOTES.txt prints what an operator pastes next: the federated credential and the Ingress annotations. */
class HelmChartNotesTest {

    private static final String AUTH_URL =
            "nginx.ingress.kubernetes.io/auth-url: \"http://aks-auth-proxy.auth.svc.cluster.local:4181/oauth2/auth\"";

    @BeforeEach
    void emptyCluster() {
        Chart.cluster().reset();
    }

    @Test
    void printsTheAnnotationsForAProtectedIngress() {
        String notes = Chart.render().values("default").installNotes();

        assertThat(notes).contains(AUTH_URL)
                .contains("nginx.ingress.kubernetes.io/auth-signin: \"https://auth.example.com/oauth2/start?rd=$escaped_request_uri\"")
                .contains("nginx.ingress.kubernetes.io/auth-response-headers: "
                        + "\"Authorization,X-Auth-Request-User,X-Auth-Request-Email,X-Auth-Request-Preferred-Username,"
                        + "X-Auth-Request-Groups,X-Auth-Request-Groups-Truncated,X-Auth-Request-Oid,X-Auth-Request-Tid,X-Auth-Request-Access-Token\"")
                .contains("nginx.ingress.kubernetes.io/proxy-buffer-size: \"32k\"");
    }

    @Test
    void printsTheFederatedCredentialSubjectOfTheServiceAccount() {
        String notes = Chart.render().values("default").installNotes();

        assertThat(notes).contains("subject:  system:serviceaccount:auth:aks-auth-proxy")
                .contains("audience: api://AzureADTokenExchange")
                .contains("the Web redirect URI https://auth.example.com/oauth2/callback");
    }

    @Test
    void sharedCookieDomainSendsAbsoluteReturnUrls() {
        String notes = Chart.render().values("full").installNotes();

        assertThat(notes).contains("nginx.ingress.kubernetes.io/auth-signin: "
                + "\"https://auth.example.com/oauth2/start?rd=https://$host$escaped_request_uri\"");
    }

    @Test
    void printsAnAuthUrlForEachProfile() {
        String notes = Chart.render().values("full").installNotes();

        assertThat(notes)
                .contains("nginx.ingress.kubernetes.io/auth-url: \"http://aks-auth-proxy.auth.svc.cluster.local:8081/oauth2/auth?profile=monitor\"")
                .contains("nginx.ingress.kubernetes.io/auth-url: \"http://aks-auth-proxy.auth.svc.cluster.local:8081/oauth2/auth?profile=myapi\"");
    }
}
