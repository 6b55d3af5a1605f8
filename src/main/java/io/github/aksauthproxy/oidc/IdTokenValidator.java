package io.github.aksauthproxy.oidc;

import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.github.aksauthproxy.config.Secret;
import java.security.MessageDigest;
import java.text.ParseException;
import java.time.Clock;
import java.util.Set;

/**
 * Validates ID tokens from the callback: RS256 signature by a key of the tenant's JWKS, exact {@code iss} and
 * {@code aud}, the sign-in's {@code nonce}, and {@code exp}/{@code nbf} with 60 seconds of skew. Blocking (keys may
 * be fetched): call from a worker.
 */
public final class IdTokenValidator {
    private final OidcProvider provider;
    private final String clientId;
    private final Clock clock;

    public IdTokenValidator(OidcProvider provider, String clientId, Clock clock) {
        this.provider = provider;
        this.clientId = clientId;
        this.clock = clock;
    }

    public IdTokenClaims validate(Secret idToken, Secret expectedNonce) throws IdTokenRejectedException, OidcUnavailableException {
        ProviderMetadata metadata = provider.metadata();
        DefaultJWTProcessor<SecurityContext> processor = Rs256Processors.create(provider.keys(), Set.of(metadata.issuer()),
                Set.of(clientId), Set.of("sub", "exp", "iat", "nonce", "oid", "tid"), clock);
        JWTClaimsSet claims = Rs256Processors.process(processor, idToken.value(), "the ID token");
        try {
            String nonce = claims.getStringClaim("nonce");
            if (nonce == null || !MessageDigest.isEqual(nonce.getBytes(), expectedNonce.value().getBytes())) {
                throw new IdTokenRejectedException("the ID token's nonce does not match this sign-in (a replayed or injected token)");
            }
            String oid = claims.getStringClaim("oid");
            String preferred = claims.getStringClaim("preferred_username");
            GroupClaims groups = GroupClaims.of(claims);
            return new IdTokenClaims(oid, claims.getStringClaim("tid"), preferred == null || preferred.isBlank() ? oid : preferred,
                    orEmpty(claims.getStringClaim("name")), orEmpty(claims.getStringClaim("email")), groups.ids(),
                    EntraClaims.first(claims, "upn"), EntraClaims.emailDomainVerified(claims), groups.overage());
        } catch (ParseException e) {
            throw new IdTokenRejectedException("an ID token claim has the wrong type: " + e.getMessage());
        }
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
