package io.github.aksauthproxy.http;

import io.github.aksauthproxy.config.Profile;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;

/**
 * The identity headers of a 200 from {@code /oauth2/auth}, for a session or a bearer caller alike; all always set.
 * {@code X-Auth-Request-Access-Token} too, empty unless the profile enables it, and
 * {@code X-Auth-Request-Groups-Truncated}, {@code false} unless the groups were cut: a header the service may send is
 * one every proxy config lists, so the proxy overwrites a client's own copy instead of passing it to the app.
 */
final class IdentityHeaders {
    private IdentityHeaders() {
    }

    static void set(MultiMap h, Profile profile, String token, String user, String email, GroupsHeader.Value groups, String oid, String tid) {
        h.set(HttpHeaders.AUTHORIZATION, "Bearer " + token);
        h.set("X-Auth-Request-User", user);
        h.set("X-Auth-Request-Email", email);
        h.set("X-Auth-Request-Preferred-Username", user);
        h.set(GroupsHeader.GROUPS, groups.groups());
        h.set(GroupsHeader.TRUNCATED, Boolean.toString(groups.truncated()));
        h.set("X-Auth-Request-Oid", oid);
        h.set("X-Auth-Request-Tid", tid);
        h.set("X-Auth-Request-Access-Token", profile.accessTokenHeader() ? token : "");
    }
}
