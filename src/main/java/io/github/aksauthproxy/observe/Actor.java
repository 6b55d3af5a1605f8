package io.github.aksauthproxy.observe;

/**
 * Who an audit event is about.
 *
 * @param user the user's UPN ({@code preferred_username}), else their object id
 * @param tenant the tenant id
 * @param sidHash a hash of the session id (the session id itself is a bearer secret and is never logged); null for
 *     a caller with its own bearer token and no session
 */
public record Actor(String user, String tenant, String sidHash) {
}
