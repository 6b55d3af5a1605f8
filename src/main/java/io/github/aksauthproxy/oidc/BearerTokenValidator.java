package io.github.aksauthproxy.oidc;

import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.github.aksauthproxy.config.BearerPolicy;
import java.text.ParseException;
import java.time.Clock;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Validates a non-browser client's own Entra access token (kubectl with kubelogin, scripts) for bearer
 * passthrough: the same RS256/JWKS checks as ID tokens, the tenant's v1 and v2 issuers, the configured audiences.
 * The service only checks such a token and passes it on; it never mints one for a bearer caller. Blocking (keys
 * may be fetched): call from a worker.
 */
public final class BearerTokenValidator {
    private static final Pattern GUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    /** Entra's v2 issuer: {@code https://<authority host>/<tenant id>/v2.0}. */
    private static final Pattern V2_ISSUER = Pattern.compile("https://([^/]+)/([0-9a-fA-F-]{36})/v2\\.0/?");
    /**
     * Entra's clouds with the token issuers Microsoft publishes for each ("What are the token issuers for the sovereign
     * clouds", Microsoft Q&A): v1 {@code https://<v1 host>/<tid>/}, v2 {@code https://<v2 host>/<tid>/v2.0}. AKS's
     * server app gets v1 tokens, so kubelogin's tokens carry the v1 issuer, which in US Government is the public
     * cloud's {@code sts.windows.net}. A cloud is known by the host of the discovered issuer (its v2 host, or the
     * authority host its discovery is fetched from). Other hosts (test stand-ins) get only the discovered issuer;
     * AKS_AUTH_PROXY_BEARER_ISSUERS replaces the derived set where that is not enough.
     */
    private enum Cloud {
        PUBLIC("sts.windows.net", "login.microsoftonline.com"),
        US_GOVERNMENT("sts.windows.net", "login.microsoftonline.us"),
        CHINA("sts.chinacloudapi.cn", "login.partner.microsoftonline.cn", "login.chinacloudapi.cn");

        final String v1Host;
        final String v2Host;
        final Set<String> hosts;

        Cloud(String v1Host, String v2Host, String... authorityHosts) {
            this.v1Host = v1Host;
            this.v2Host = v2Host;
            Set<String> all = new LinkedHashSet<>(List.of(authorityHosts));
            all.add(v2Host);
            this.hosts = Set.copyOf(all);
        }

        static Optional<Cloud> of(String issuerHost) {
            return Arrays.stream(values()).filter(c -> c.hosts.contains(issuerHost.toLowerCase(Locale.ROOT))).findFirst();
        }
    }

    private final OidcProvider provider;
    private final BearerPolicy policy;
    private final Set<String> audiences;
    private final Clock clock;
    private final AtomicReference<DefaultJWTProcessor<SecurityContext>> processor = new AtomicReference<>();

    public BearerTokenValidator(OidcProvider provider, BearerPolicy policy, Clock clock) {
        this.provider = provider;
        this.policy = policy;
        this.audiences = audiences(policy.audiences());
        this.clock = clock;
    }

    /**
     * A GUID audience also accepts {@code api://<GUID>}: Entra writes the identifier the client asked for into a v1
     * token's {@code aud}, and {@code api://<application id>} is the identifier URI Entra suggests for an app.
     */
    static Set<String> audiences(List<String> configured) {
        Set<String> accepted = new LinkedHashSet<>();
        for (String a : configured) {
            accepted.add(a);
            if (GUID.matcher(a).matches()) {
                accepted.add("api://" + a);
            }
        }
        return Set.copyOf(accepted);
    }

    /** The issuers a bearer token may name: configured ones, else the discovered issuer and its cloud's v1 and v2 issuers. */
    static Set<String> issuers(BearerPolicy policy, String discoveredIssuer) {
        if (!policy.issuers().isEmpty()) {
            return Set.copyOf(policy.issuers());
        }
        Set<String> accepted = new LinkedHashSet<>();
        accepted.add(discoveredIssuer);
        Matcher m = V2_ISSUER.matcher(discoveredIssuer);
        if (m.matches()) {
            Cloud.of(m.group(1)).ifPresent(cloud -> {
                accepted.add("https://" + cloud.v1Host + "/" + m.group(2) + "/");
                accepted.add("https://" + cloud.v2Host + "/" + m.group(2) + "/v2.0");
            });
        }
        return Set.copyOf(accepted);
    }

    public BearerIdentity validate(String token) throws IdTokenRejectedException, OidcUnavailableException {
        JWTClaimsSet claims = Rs256Processors.process(processor(), token, "the bearer token");
        try {
            String oid = claims.getStringClaim("oid");
            String user = EntraClaims.first(claims, "preferred_username", "upn", "unique_name");
            GroupClaims groups = GroupClaims.of(claims);
            String email = claims.getStringClaim("email");
            return new BearerIdentity(oid, claims.getStringClaim("tid"), user.isEmpty() ? oid : user, email == null ? "" : email,
                    groups.ids(), EntraClaims.first(claims, "upn", "preferred_username"), EntraClaims.emailDomainVerified(claims),
                    groups.overage());
        } catch (ParseException e) {
            throw new IdTokenRejectedException("a bearer token claim has the wrong type: " + e.getMessage());
        }
    }

    private DefaultJWTProcessor<SecurityContext> processor() throws OidcUnavailableException {
        DefaultJWTProcessor<SecurityContext> p = processor.get();
        if (p == null) {
            p = Rs256Processors.create(provider.keys(), issuers(policy, provider.metadata().issuer()), audiences,
                    Set.of("exp", "oid", "tid"), clock);
            processor.compareAndSet(null, p);
        }
        return p;
    }
}
