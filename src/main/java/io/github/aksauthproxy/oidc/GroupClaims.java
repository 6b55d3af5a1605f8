package io.github.aksauthproxy.oidc;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import io.github.aksauthproxy.config.Secret;
import java.text.ParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The groups a token of Entra states, or that the user is in too many for it to state them (group overage).
 *
 * <p>Entra puts at most 200 groups into a JWT. Past that it leaves {@code groups} out and says so instead: with
 * {@code "_claim_names": {"groups": "src1"}} (and {@code _claim_sources} naming an endpoint of the retired Azure AD
 * Graph, which is never called), or, in tokens of the implicit flow, {@code "hasgroups": true}. Such a token's
 * missing {@code groups} is not "no groups".
 *
 * @param ids the group object ids the token lists; empty when it lists none or is in overage
 * @param overage the token says the user is in more groups than it lists
 */
public record GroupClaims(List<String> ids, boolean overage) {
    public static final GroupClaims NONE = new GroupClaims(List.of(), false);

    public GroupClaims {
        ids = overage ? List.of() : List.copyOf(ids);
    }

    static GroupClaims of(JWTClaimsSet claims) throws ParseException {
        Object names = claims.getClaim("_claim_names");
        boolean overage = names instanceof Map<?, ?> m && m.containsKey("groups") || Boolean.TRUE.equals(claims.getClaim("hasgroups"))
                || "true".equals(claims.getClaim("hasgroups"));
        List<String> listed = claims.getStringListClaim("groups");
        return new GroupClaims(listed == null ? List.of() : listed, overage);
    }

    /**
     * The groups of the ID token Entra returned beside a token minted with the session's refresh token: the user's
     * groups now, by the same group-claim settings of the app registration as at sign-in. Empty when there was none,
     * or it is not about this app and user.
     *
     * <p>Its signature is not checked: it came straight from Entra's token endpoint over TLS to the service, which
     * OpenID Connect Core 1.0 section 3.1.3.7 (6) accepts in place of the signature. Audience, user and tenant must
     * still be this app's and this session's.
     */
    public static Optional<GroupClaims> ofRefreshedIdToken(Optional<Secret> idToken, String clientId, String oid, String tid) {
        if (idToken.isEmpty()) {
            return Optional.empty();
        }
        try {
            JWTClaimsSet claims = JWTParser.parse(idToken.get().value()).getJWTClaimsSet();
            if (claims.getAudience() == null || !claims.getAudience().contains(clientId) || !oid.equals(claims.getStringClaim("oid"))
                    || !tid.equals(claims.getStringClaim("tid"))) {
                return Optional.empty();
            }
            return Optional.of(of(claims));
        } catch (ParseException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
