package io.github.aksauthproxy.http;

import io.github.aksauthproxy.config.Profile;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.util.List;

/**
 * The identity headers of a 200 from {@code /oauth2/auth}, for a session or a bearer caller alike; all always set.
 * {@code X-Auth-Request-Access-Token} too, empty unless the profile enables it: a header the service may send is one
 * every proxy config lists, so the proxy overwrites a client's own copy instead of passing it to the app.
 */
final class IdentityHeaders {
    private IdentityHeaders() {
    }

    static void set(MultiMap h, Profile profile, String token, String user, String email, List<String> groups, int groupsLimit,
                    String oid, String tid) {
        h.set(HttpHeaders.AUTHORIZATION, "Bearer " + token);
        h.set("X-Auth-Request-User", user);
        h.set("X-Auth-Request-Email", email);
        h.set("X-Auth-Request-Preferred-Username", user);
        h.set("X-Auth-Request-Groups", String.join(",", groups.size() <= groupsLimit ? groups : groups.subList(0, groupsLimit)));
        h.set("X-Auth-Request-Oid", oid);
        h.set("X-Auth-Request-Tid", tid);
        h.set("X-Auth-Request-Access-Token", profile.accessTokenHeader() ? token : "");
    }
}
