package io.github.aksauthproxy.session;

import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Names and attributes of every cookie the service sets. Attributes are always explicit: {@code Secure},
 * {@code HttpOnly}, {@code SameSite=Lax}, {@code Path=/}, and the {@code __Host-} prefix (which pins the
 * cookie to this exact host) unless a cookie domain is configured.
 */
public final class CookieNames {
    private final String base;
    private final Optional<String> domain;

    public CookieNames(Optional<String> domain) {
        this.domain = domain;
        this.base = domain.isPresent() ? "aks-auth-proxy" : "__Host-aks-auth-proxy";
    }

    /** The session cookie when it fits in one. */
    public String session() {
        return base;
    }

    /** Chunk {@code i} of a session too large for one cookie. */
    public String sessionChunk(int i) {
        return base + "_" + i;
    }

    /** Last-activity stamp of a session that a renewal cannot rewrite in one cookie (see {@link SessionCookieStore}). */
    public String activity() {
        return base + "-seen";
    }

    /** Prefix of the per-attempt sign-in (CSRF) cookies. */
    public String loginPrefix() {
        return base + "-login-";
    }

    public String login(String state) {
        return loginPrefix() + state;
    }

    /** True for the session cookie, its chunks and its activity stamp. */
    public boolean isSessionPart(String name) {
        return name.equals(base) || name.equals(activity()) || name.matches(java.util.regex.Pattern.quote(base) + "_\\d+");
    }

    /** True for every cookie this service owns, so proxies and tests can strip them from upstream requests. */
    public boolean isOwn(String name) {
        return name.equals(base) || name.startsWith(base + "_") || name.startsWith(base + "-");
    }

    public Cookie set(String name, String value, long maxAgeSeconds) {
        Cookie c = Cookie.cookie(name, value).setPath("/").setSecure(true).setHttpOnly(true).setSameSite(CookieSameSite.LAX);
        if (maxAgeSeconds >= 0) {
            c.setMaxAge(maxAgeSeconds);
        }
        domain.ifPresent(c::setDomain);
        return c;
    }

    public Cookie expire(String name) {
        return set(name, "", 0);
    }

    /** Cookies that delete every part of a session the request carries (the cookie, its chunks, its activity stamp). */
    public List<Cookie> expireSession(Map<String, String> requestCookies) {
        return requestCookies.keySet().stream().filter(this::isSessionPart).map(this::expire).toList();
    }
}
