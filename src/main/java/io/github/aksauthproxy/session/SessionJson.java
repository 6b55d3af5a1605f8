package io.github.aksauthproxy.session;

import io.github.aksauthproxy.config.Secret;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A {@link Session} as JSON, with the field names of the cookie store's payload ({@code sid}, {@code rt},
 * {@code iat}, {@code exp}, {@code seen} as epoch seconds...). The redis store keeps this, sealed, in Redis.
 */
public final class SessionJson {
    private SessionJson() {
    }

    public static JsonObject toJson(Session s) {
        JsonObject json = new JsonObject()
                .put("sid", s.id()).put("oid", s.oid()).put("tid", s.tid()).put("user", s.user())
                .put("name", s.name()).put("email", s.email()).put("groups", new JsonArray(new ArrayList<>(s.groups())))
                .put("rt", s.refreshToken().value())
                .put("iat", s.createdAt().getEpochSecond()).put("exp", s.expiresAt().getEpochSecond())
                .put("seen", s.lastSeen().getEpochSecond())
                .put("upn", s.upn()).put("edov", s.emailVerified());
        s.stepUp().ifPresent(p -> json.put("su", p));
        if (s.groupsOverage()) {
            json.put("gov", true);
        }
        return json;
    }

    /** The session, or empty when a field is missing, of the wrong type, or a time no {@link Instant} can hold. */
    public static Optional<Session> fromJson(JsonObject j) {
        try {
            List<String> groups = new ArrayList<>();
            for (Object g : j.getJsonArray("groups")) {
                groups.add((String) g);
            }
            String sid = j.getString("sid");
            String rt = j.getString("rt");
            if (sid == null || rt == null) {
                return Optional.empty();
            }
            return Optional.of(new Session(sid, j.getString("oid", ""), j.getString("tid", ""), j.getString("user", ""),
                    j.getString("name", ""), j.getString("email", ""), groups, new Secret(rt),
                    Instant.ofEpochSecond(j.getLong("iat")), Instant.ofEpochSecond(j.getLong("exp")),
                    Instant.ofEpochSecond(j.getLong("seen")),
                    // Sessions written before these were kept lack them: no upn, and an e-mail nobody vouched for.
                    j.getString("upn", ""), Boolean.TRUE.equals(j.getBoolean("edov", false)), Optional.ofNullable(j.getString("su")),
                    // Absent (every session without overage, and those from before it was kept): the groups are as listed.
                    Boolean.TRUE.equals(j.getBoolean("gov", false))));
        } catch (ClassCastException | NullPointerException | DateTimeException e) {
            return Optional.empty();
        }
    }
}
