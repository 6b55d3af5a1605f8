package io.github.aksauthproxy.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.aksauthproxy.config.BearerPolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which issuers and audiences a bearer token may name (the signature checks run end to end in it/). */
class BearerTokenValidatorTest {
    static final String TID = "72f988bf-86f1-41af-91ab-2d7cd011db47";

    @Test
    void entraV2IssuerFromDiscoveryAlsoAcceptsTheTenantsV1Issuer() {
        assertThat(BearerTokenValidator.issuers(new BearerPolicy(List.of("a"), List.of()), "https://login.microsoftonline.com/" + TID + "/v2.0"))
                .containsExactlyInAnyOrder("https://login.microsoftonline.com/" + TID + "/v2.0", "https://sts.windows.net/" + TID + "/");
    }

    @Test
    void sovereignCloudsGetTheIssuersMicrosoftPublishesForThem() {
        BearerPolicy derived = new BearerPolicy(List.of("a"), List.of());
        assertThat(BearerTokenValidator.issuers(derived, "https://login.microsoftonline.us/" + TID + "/v2.0"))
                .containsExactlyInAnyOrder("https://login.microsoftonline.us/" + TID + "/v2.0", "https://sts.windows.net/" + TID + "/");
        assertThat(BearerTokenValidator.issuers(derived, "https://login.partner.microsoftonline.cn/" + TID + "/v2.0"))
                .containsExactlyInAnyOrder("https://login.partner.microsoftonline.cn/" + TID + "/v2.0", "https://sts.chinacloudapi.cn/" + TID + "/");
        assertThat(BearerTokenValidator.issuers(derived, "https://login.chinacloudapi.cn/" + TID + "/v2.0"))
                .containsExactlyInAnyOrder("https://login.chinacloudapi.cn/" + TID + "/v2.0",
                        "https://login.partner.microsoftonline.cn/" + TID + "/v2.0", "https://sts.chinacloudapi.cn/" + TID + "/");
    }

    @Test
    void unknownHostGetsOnlyTheDiscoveredIssuerAndConfiguredIssuersReplaceTheDerivedOnes() {
        assertThat(BearerTokenValidator.issuers(new BearerPolicy(List.of("a"), List.of()), "https://localhost:1234/" + TID + "/oauth2/v2.0"))
                .containsExactly("https://localhost:1234/" + TID + "/oauth2/v2.0");
        assertThat(BearerTokenValidator.issuers(new BearerPolicy(List.of("a"), List.of("https://issuer.example/")),
                "https://login.microsoftonline.com/" + TID + "/v2.0")).containsExactly("https://issuer.example/");
    }

    @Test
    void guidAudienceAlsoAcceptsItsApiUriForm() {
        assertThat(BearerTokenValidator.audiences(List.of("6dae42f8-4368-4678-94ff-3960e28e3630", "api://my-api")))
                .containsExactlyInAnyOrder("6dae42f8-4368-4678-94ff-3960e28e3630", "api://6dae42f8-4368-4678-94ff-3960e28e3630", "api://my-api");
    }
}
