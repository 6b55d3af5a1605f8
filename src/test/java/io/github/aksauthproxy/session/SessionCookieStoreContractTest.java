package io.github.aksauthproxy.session;

import io.github.aksauthproxy.config.CookieKey;
import java.security.SecureRandom;
import java.util.List;

/** The cookie store keeps the session store contract. */
class SessionCookieStoreContractTest extends SessionStoreContract {
    private final SessionStore store;

    SessionCookieStoreContractTest() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        store = new SessionCookieStore(new CookieCodec(List.of(CookieKey.of(key))), NAMES, clock, IDLE);
    }

    @Override
    protected SessionStore store() {
        return store;
    }
}
