package io.github.aksauthproxy.it;

import com.nimbusds.oauth2.sdk.TokenRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import no.nav.security.mock.oauth2.token.OAuth2TokenCallback;

/**
 * Shapes the stand-in IdP's tokens like Entra's: {@code tid}, {@code oid}, {@code preferred_username},
 * {@code name}, {@code groups}, and an access token's {@code aud} taken from the {@code <resource>/.default} scope
 * (Microsoft Graph's application id and {@code scp} for a scope of Graph). A user in more than
 * {@value #GROUPS_IN_A_JWT} groups gets Entra's overage marker instead of {@code groups}.
 */
final class EntraShapedTokenCallback implements OAuth2TokenCallback {
    /**
     * The user the stand-in signs in next (non-interactive login; null when the login page names the user).
     *
     * @param claims more claims for this user's tokens, or other values for the usual ones ({@code tid}, {@code upn},
     *     {@code email}, {@code xms_edov}...); a null value leaves that claim out
     */
    record User(String oid, String preferredUsername, String name, List<String> groups, Map<String, Object> claims) {
        User {
            claims = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(claims));
        }

        User(String oid, String preferredUsername, String name, List<String> groups) {
            this(oid, preferredUsername, name, groups, Map.of());
        }

        /** This user with {@code claim} set to {@code value} in their tokens, or left out when {@code value} is null. */
        User with(String claim, Object value) {
            Map<String, Object> more = new LinkedHashMap<>(claims);
            more.put(claim, value);
            return new User(oid, preferredUsername, name, groups, more);
        }
    }

    /** Entra lists at most this many groups in a JWT. */
    static final int GROUPS_IN_A_JWT = 200;
    /** Microsoft Graph's application id: the {@code aud} of Entra's Graph tokens. */
    static final String GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";

    private final String tenant;
    private final String clientId;
    /** Where the overage marker's {@code _claim_sources} points (Entra: the retired Azure AD Graph); never to be called. */
    private final AtomicReference<String> claimSourcesEndpoint = new AtomicReference<>("https://graph.windows.net");
    private final AtomicReference<User> user;
    private final AtomicReference<Long> expirySeconds = new AtomicReference<>(3600L);
    /** More claims in the tokens minted from a refresh token (those /oauth2/auth hands out), none by default. */
    private final AtomicReference<Map<String, Object>> refreshedClaims = new AtomicReference<>(Map.of());

    EntraShapedTokenCallback(String tenant, String clientId, User user) {
        this.tenant = tenant;
        this.clientId = clientId;
        this.user = new AtomicReference<>(user);
    }

    void signInAs(User next) {
        user.set(next);
    }

    /** From now on an overage marker names {@code endpoint} in {@code _claim_sources} (a trap: it must never be called). */
    void claimSourcesEndpoint(String endpoint) {
        claimSourcesEndpoint.set(endpoint);
    }

    /** From now on tokens minted from a refresh token carry these claims too (Entra's tokens carry many more than ours). */
    void refreshedClaims(Map<String, Object> claims) {
        refreshedClaims.set(Map.copyOf(claims));
    }

    void tokenLifetime(long seconds) {
        expirySeconds.set(seconds);
    }

    @Override
    public String issuerId() {
        return tenant + "/oauth2/v2.0";
    }

    @Override
    public String subject(TokenRequest request) {
        if (isClientCredentials(request)) {
            return clientId;
        }
        User u = user.get();
        return u == null ? "interactive-login" : "pairwise-" + u.oid();
    }

    @Override
    public String typeHeader(TokenRequest request) {
        return "JWT";
    }

    @Override
    public List<String> audience(TokenRequest request) {
        String scope = request.getScope() == null ? "" : request.getScope().toString();
        for (String s : scope.split(" ")) {
            if (s.endsWith("/.default")) {
                return List.of(s.substring(0, s.length() - "/.default".length()));
            }
            if (graphPermission(s) != null) {
                return List.of(GRAPH_APP_ID);
            }
        }
        return List.of(clientId);
    }

    @Override
    public Map<String, Object> addClaims(TokenRequest request) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("tid", tenant);
        if (isClientCredentials(request)) {
            claims.put("oid", "00000000-0000-0000-0000-00000000a11d");
            claims.put("azp", clientId);
            return claims;
        }
        User u = user.get();
        if (u == null) {
            // Interactive login: the user's claims come from the login page (UserNameLogin).
            return claims;
        }
        claims.put("oid", u.oid());
        claims.put("preferred_username", u.preferredUsername());
        claims.put("upn", u.preferredUsername());
        claims.put("name", u.name());
        if (u.groups().size() > GROUPS_IN_A_JWT) {
            // Entra's group overage: no groups, a pointer to where they could be had instead.
            claims.put("_claim_names", Map.of("groups", "src1"));
            claims.put("_claim_sources", Map.of("src1", Map.of("endpoint",
                    claimSourcesEndpoint.get() + "/" + tenant + "/users/" + u.oid() + "/getMemberObjects")));
        } else {
            claims.put("groups", u.groups());
        }
        String scope = request.getScope() == null ? "" : request.getScope().toString();
        for (String s : scope.split(" ")) {
            if (graphPermission(s) != null) {
                claims.put("scp", graphPermission(s));
            }
        }
        if (request.getAuthorizationGrant() != null && "refresh_token".equals(request.getAuthorizationGrant().getType().getValue())) {
            claims.putAll(refreshedClaims.get());
        }
        u.claims().forEach((name, value) -> {
            if (value == null) {
                claims.remove(name);
            } else {
                claims.put(name, value);
            }
        });
        return claims;
    }

    @Override
    public long tokenExpiry() {
        return expirySeconds.get();
    }

    /** {@code User.Read} of {@code https://graph.microsoft.com/User.Read}; null for a scope of anything else. */
    private static String graphPermission(String scope) {
        return scope.startsWith("https://graph.microsoft.com/") && !scope.endsWith("/.default") ? scope.substring(scope.lastIndexOf('/') + 1) : null;
    }

    private static boolean isClientCredentials(TokenRequest request) {
        return request.getAuthorizationGrant() != null && "client_credentials".equals(request.getAuthorizationGrant().getType().getValue());
    }
}
