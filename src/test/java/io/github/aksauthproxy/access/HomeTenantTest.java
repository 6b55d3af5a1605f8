package io.github.aksauthproxy.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which tenant's UPNs address rules trust, however AZURE_TENANT_ID names it. */
class HomeTenantTest {
    static final String TID = "72f988bf-86f1-41af-91ab-2d7cd011db47";

    @Test
    void tenantIdIsTakenAsConfigured() {
        assertThat(new HomeTenant(TID.toUpperCase(), Optional::empty).id()).hasValue(TID);
    }

    @Test
    void tenantNamedByDomainIsTheIdInTheDiscoveredIssuerOnceDiscoveryWasFetched() {
        assertThat(new HomeTenant("contoso.onmicrosoft.com", () -> Optional.of("https://login.microsoftonline.com/" + TID + "/v2.0")).id())
                .hasValue(TID);
        assertThat(new HomeTenant("contoso.onmicrosoft.com", Optional::empty).id()).as("no discovery yet: no UPN is trusted").isEmpty();
        assertThat(new HomeTenant("contoso.onmicrosoft.com", () -> Optional.of("https://issuer.example/contoso/")).id()).isEmpty();
    }
}
