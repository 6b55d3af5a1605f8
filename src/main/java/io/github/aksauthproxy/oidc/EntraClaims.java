package io.github.aksauthproxy.oidc;

import com.nimbusds.jwt.JWTClaimsSet;
import java.text.ParseException;

/** Reading Entra's claims the same way for ID tokens and bearer tokens. */
final class EntraClaims {
    private EntraClaims() {
    }

    /** The first of {@code names} that is a non-blank string, else empty. */
    static String first(JWTClaimsSet claims, String... names) throws ParseException {
        for (String n : names) {
            String v = claims.getStringClaim(n);
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return "";
    }

    /**
     * Whether Entra vouches for the domain of the {@code email} claim: the optional claim {@code xms_edov}. Without
     * it the address is whatever the user's Mail attribute says, which a user without a mailbox, or another tenant's
     * admin, may set to anyone's address (the "nOAuth" class), so anything but a plain yes is a no.
     */
    static boolean emailDomainVerified(JWTClaimsSet claims) {
        Object v = claims.getClaim("xms_edov");
        return Boolean.TRUE.equals(v) || "true".equals(v) || "1".equals(v) || (v instanceof Number n && n.doubleValue() == 1);
    }
}
