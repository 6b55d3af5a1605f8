package io.github.aksauthproxy.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.github.aksauthproxy.config.Secret;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Entra's two overage markers, and which ID tokens returned beside a minted token may say what a session's groups are. */
class GroupClaimsTest {
    static final String CLIENT = "3c1f5f0e-9a4e-4b8e-a7f5-1d2b3c4d5e6f";
    static final String OID = "11111111-2222-3333-4444-555555555555";
    static final String TID = "72f988bf-86f1-41af-91ab-2d7cd011db47";

    private static JWTClaimsSet.Builder claims() {
        return new JWTClaimsSet.Builder().audience(CLIENT).claim("oid", OID).claim("tid", TID);
    }

    private static Optional<Secret> signed(JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), claims);
        jwt.sign(new RSASSASigner(new RSAKeyGenerator(2048).generate()));
        return Optional.of(new Secret(jwt.serialize()));
    }

    @Test
    void listedGroupsAreTheGroups() throws Exception {
        assertThat(GroupClaims.of(claims().claim("groups", List.of("g1", "g2")).build())).isEqualTo(new GroupClaims(List.of("g1", "g2"), false));
        assertThat(GroupClaims.of(claims().build())).isEqualTo(GroupClaims.NONE);
    }

    @Test
    void claimNamesPointingGroupsElsewhereIsOverage() throws Exception {
        GroupClaims g = GroupClaims.of(claims().claim("_claim_names", Map.of("groups", "src1"))
                .claim("_claim_sources", Map.of("src1", Map.of("endpoint", "https://graph.windows.net/x/users/y/getMemberObjects"))).build());
        assertThat(g.overage()).isTrue();
        assertThat(g.ids()).isEmpty();
    }

    @Test
    void hasgroupsOfTheImplicitFlowIsOverage() throws Exception {
        assertThat(GroupClaims.of(claims().claim("hasgroups", true).build()).overage()).isTrue();
        assertThat(GroupClaims.of(claims().claim("hasgroups", false).build()).overage()).isFalse();
        assertThat(GroupClaims.of(claims().claim("_claim_names", Map.of("other", "src1")).build()).overage()).isFalse();
    }

    @Test
    void theRefreshedIdTokenOfThisAppAndUserSaysTheGroups() throws Exception {
        assertThat(GroupClaims.ofRefreshedIdToken(signed(claims().claim("groups", List.of("g1")).build()), CLIENT, OID, TID))
                .contains(new GroupClaims(List.of("g1"), false));
        assertThat(GroupClaims.ofRefreshedIdToken(signed(claims().claim("hasgroups", true).build()), CLIENT, OID, TID))
                .contains(new GroupClaims(List.of(), true));
    }

    @Test
    void anIdTokenOfAnotherUserTenantOrAppOrNoneChangesNothing() throws Exception {
        assertThat(GroupClaims.ofRefreshedIdToken(signed(claims().claim("oid", "99999999-2222-3333-4444-555555555555").build()), CLIENT, OID, TID))
                .isEmpty();
        assertThat(GroupClaims.ofRefreshedIdToken(signed(claims().claim("tid", "00000000-0000-0000-0000-000000000001").build()), CLIENT, OID, TID))
                .isEmpty();
        assertThat(GroupClaims.ofRefreshedIdToken(signed(claims().audience("6dae42f8-4368-4678-94ff-3960e28e3630").build()), CLIENT, OID, TID))
                .isEmpty();
        assertThat(GroupClaims.ofRefreshedIdToken(Optional.of(new Secret("not-a-jwt")), CLIENT, OID, TID)).isEmpty();
        assertThat(GroupClaims.ofRefreshedIdToken(Optional.empty(), CLIENT, OID, TID)).isEmpty();
    }
}
