package io.github.aksauthproxy.entra;

import java.util.List;
import java.util.Optional;

/**
 * A sign-in that must give more than the usual one: Entra refused a session's token for a profile in a way only
 * the user can answer, so the next authorize request names the profile's scopes (Entra then evaluates that
 * resource's Conditional Access policies and consent while the user is there) and, when Entra sent one, its
 * {@code claims} challenge.
 *
 * @param profile the profile whose token was refused
 * @param scopes its scopes
 * @param claims Entra's claims challenge (JSON text), if its refusal carried one
 */
public record StepUp(String profile, List<String> scopes, Optional<String> claims) {
    public StepUp {
        scopes = List.copyOf(scopes);
    }
}
