package io.github.aksauthproxy.it;

import com.nimbusds.oauth2.sdk.TokenRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import no.nav.security.mock.oauth2.token.OAuth2TokenCallback;

/**
 * Shapes the stand-in IdP's tokens like Entra's: {@code tid}, {@code oid}, {@code preferred_username},
 * {@code name}, {@code groups}, and an access token's {@code aud} taken from the {@code <resource>/.default} scope.
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

    private final String tenant;
    private final String clientId;
    private final AtomicReference<User> user;
    private final AtomicReference<Long> expirySeconds = new AtomicReference<>(3600L);

    EntraShapedTokenCallback(String tenant, String clientId, User user) {
        this.tenant = tenant;
        this.clientId = clientId;
        this.user = new AtomicReference<>(user);
    }

    void signInAs(User next) {
        user.set(next);
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
        claims.put("groups", u.groups());
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

    private static boolean isClientCredentials(TokenRequest request) {
        return request.getAuthorizationGrant() != null && "client_credentials".equals(request.getAuthorizationGrant().getType().getValue());
    }
}
