package io.github.aksauthproxy.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.github.aksauthproxy.config.Secret;
import java.security.MessageDigest;
import java.text.ParseException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * Validates ID tokens from the callback: RS256 signature by a key of the tenant's JWKS, exact {@code iss} and
 * {@code aud}, the sign-in's {@code nonce}, and {@code exp}/{@code nbf} with 60 seconds of skew. Blocking (keys may
 * be fetched): call from a worker.
 */
public final class IdTokenValidator {
    private static final int MAX_SKEW_SECONDS = 60;
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
        DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(null, com.nimbusds.jose.JOSEObjectType.JWT));
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.RS256, provider.keys()));
        DefaultJWTClaimsVerifier<SecurityContext> verifier = new DefaultJWTClaimsVerifier<>(clientId,
                new JWTClaimsSet.Builder().issuer(metadata.issuer()).build(), Set.of("sub", "exp", "iat", "nonce", "oid", "tid")) {
            @Override
            protected Date currentTime() {
                return Date.from(clock.instant());
            }
        };
        verifier.setMaxClockSkew(MAX_SKEW_SECONDS);
        processor.setJWTClaimsSetVerifier(verifier);
        JWTClaimsSet claims;
        try {
            claims = processor.process(idToken.value(), null);
        } catch (ParseException e) {
            throw new IdTokenRejectedException("the ID token is not a JWT");
        } catch (BadJOSEException e) {
            throw new IdTokenRejectedException("the ID token failed validation: " + e.getMessage());
        } catch (JOSEException e) {
            throw new IdTokenRejectedException("the ID token signature could not be checked: " + e.getClass().getSimpleName());
        }
        try {
            String nonce = claims.getStringClaim("nonce");
            if (nonce == null || !MessageDigest.isEqual(nonce.getBytes(), expectedNonce.value().getBytes())) {
                throw new IdTokenRejectedException("the ID token's nonce does not match this sign-in (a replayed or injected token)");
            }
            String oid = claims.getStringClaim("oid");
            String preferred = claims.getStringClaim("preferred_username");
            List<String> groups = new ArrayList<>();
            List<String> listed = claims.getStringListClaim("groups");
            if (listed != null) {
                groups.addAll(listed);
            }
            return new IdTokenClaims(oid, claims.getStringClaim("tid"), preferred == null || preferred.isBlank() ? oid : preferred,
                    orEmpty(claims.getStringClaim("name")), orEmpty(claims.getStringClaim("email")), groups);
        } catch (ParseException e) {
            throw new IdTokenRejectedException("an ID token claim has the wrong type: " + e.getMessage());
        }
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
