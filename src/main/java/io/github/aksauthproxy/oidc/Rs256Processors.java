package io.github.aksauthproxy.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.text.ParseException;
import java.time.Clock;
import java.util.Date;
import java.util.Set;

/**
 * The one way tokens from the identity provider are checked: RS256 only (so {@code alg: none} and HS256 with the
 * public key as the secret are rejected before any key is used), a key from the tenant's JWKS, {@code typ} JWT or
 * absent, one of the accepted issuers and audiences, and {@code exp}/{@code nbf} with 60 seconds of skew by the
 * injected clock.
 */
final class Rs256Processors {
    static final int MAX_SKEW_SECONDS = 60;

    private Rs256Processors() {
    }

    /** Validates {@code token}; failures name {@code what} ("the ID token", "the bearer token") for the log. */
    static JWTClaimsSet process(DefaultJWTProcessor<SecurityContext> processor, String token, String what) throws IdTokenRejectedException {
        try {
            return processor.process(token, null);
        } catch (ParseException e) {
            throw new IdTokenRejectedException(what + " is not a JWT");
        } catch (BadJOSEException e) {
            throw new IdTokenRejectedException(what + " failed validation: " + e.getMessage());
        } catch (JOSEException e) {
            throw new IdTokenRejectedException(what + " signature could not be checked: " + e.getClass().getSimpleName());
        }
    }

    static DefaultJWTProcessor<SecurityContext> create(JWKSource<SecurityContext> keys, Set<String> issuers, Set<String> audiences,
            Set<String> requiredClaims, Clock clock) {
        DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(null, JOSEObjectType.JWT));
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.RS256, keys));
        DefaultJWTClaimsVerifier<SecurityContext> verifier = new DefaultJWTClaimsVerifier<>(audiences, null, requiredClaims, null) {
            @Override
            protected Date currentTime() {
                return Date.from(clock.instant());
            }

            @Override
            public void verify(JWTClaimsSet claims, SecurityContext context) throws BadJWTException {
                super.verify(claims, context);
                if (claims.getIssuer() == null || !issuers.contains(claims.getIssuer())) {
                    throw new BadJWTException("JWT iss claim is not an accepted issuer: " + claims.getIssuer());
                }
            }
        };
        verifier.setMaxClockSkew(MAX_SKEW_SECONDS);
        processor.setJWTClaimsSetVerifier(verifier);
        return processor;
    }
}
