package io.github.aksauthproxy.config;

import java.util.Locale;
import java.util.Optional;

/** Where sessions live ({@code AKS_AUTH_PROXY_SESSION_STORE}). */
public enum SessionStoreKind {
    /** The whole session in the encrypted cookie (the default). */
    COOKIE,
    /** A ticket in the cookie; the session, tokens and rate limits in Redis, shared by every replica. */
    REDIS;

    static Optional<SessionStoreKind> parse(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "cookie" -> Optional.of(COOKIE);
            case "redis" -> Optional.of(REDIS);
            default -> Optional.empty();
        };
    }
}
