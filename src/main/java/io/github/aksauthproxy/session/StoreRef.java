package io.github.aksauthproxy.session;

/**
 * Where a server-side store keeps one session, and the key that opens what it keeps there (its record, its tokens).
 * It comes from the request's cookie when the session is loaded, travels with the {@link Session} to whoever stores
 * things for that session, and is meaningful only to the store that made it. Never serialized, never logged.
 */
public interface StoreRef {
}
