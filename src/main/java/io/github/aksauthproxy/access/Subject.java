package io.github.aksauthproxy.access;

import java.util.List;

/**
 * Whom an access decision is about: a signed-in session or a bearer token's owner.
 *
 * @param cacheKey keys cached decisions: the session id, or a hash of the bearer token; never logged
 * @param addresses UPN/preferred_username and e-mail as the token stated them (rules check their shape)
 */
public record Subject(String cacheKey, String oid, String tid, List<String> addresses, List<String> groups) {
    public Subject {
        addresses = addresses.stream().filter(a -> a != null && !a.isEmpty()).toList();
        groups = List.copyOf(groups);
    }
}
