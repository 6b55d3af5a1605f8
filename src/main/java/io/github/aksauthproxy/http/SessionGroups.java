package io.github.aksauthproxy.http;

import io.github.aksauthproxy.access.GraphGroups;
import io.github.aksauthproxy.access.GroupsUnavailable;
import io.github.aksauthproxy.access.LatestGroups;
import io.github.aksauthproxy.access.Subject;
import io.github.aksauthproxy.async.Causes;
import io.github.aksauthproxy.config.Profile;
import io.github.aksauthproxy.entra.AccessToken;
import io.github.aksauthproxy.oidc.GroupClaims;
import io.github.aksauthproxy.session.Session;
import io.github.aksauthproxy.token.TokenService;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The groups of a signed-in session, for the allow rules, the groups header and the whoami page: those of the latest
 * token minted for it (else of its sign-in), and for a user in group overage, Microsoft Graph's, asked with the
 * session's own Graph token (minted from its refresh token like any profile's).
 */
final class SessionGroups {
    private static final Logger LOG = LoggerFactory.getLogger(SessionGroups.class);
    /** The Graph token's profile name; a configured profile's name starts with a letter or digit, so it never clashes. */
    static final String GRAPH_PROFILE = "_graph";

    private final LatestGroups latest;
    private final GraphGroups graph;
    private final TokenService tokens;
    private final Profile graphProfile;
    private final GroupsHeader header;

    SessionGroups(LatestGroups latest, GraphGroups graph, TokenService tokens, String graphScope, GroupsHeader header) {
        this.latest = latest;
        this.graph = graph;
        this.tokens = tokens;
        this.graphProfile = new Profile(GRAPH_PROFILE, List.of(graphScope), false);
        this.header = header;
    }

    /** The session's groups as its tokens say them (or that they are too many to say). */
    GroupClaims known(Session s) {
        return latest.of(s.id(), s.groups(), s.groupsOverage());
    }

    Subject subject(Session s, GroupClaims groups) {
        return new Subject(s.id(), s.oid(), s.tid(), s.principalName(), s.email(), s.emailVerified(), groups.ids(), groups.overage());
    }

    GraphGroups.Asker asker(Session s) {
        return new GraphGroups.Asker(s.id(), s.expiresAt(), () -> tokens.token(s, graphProfile).thenApply(AccessToken::value));
    }

    /**
     * The groups header of a session allowed to use {@code profile}: its known groups, or in group overage every group
     * Graph gives. When Graph cannot give them, a profile with group rules fails with {@link GroupsUnavailable} (its rule
     * was just decided with Graph, so this is an outage, and a header short of the groups would mislead the app); any
     * other profile gets the header empty and marked truncated, and is not held up. Fails with the session's end as a
     * token failure when the Graph token cannot be had for that reason.
     */
    CompletableFuture<GroupsHeader.Value> header(Session s, Profile profile, GroupClaims groups) {
        if (!groups.overage()) {
            return CompletableFuture.completedFuture(listed(groups));
        }
        CompletableFuture<GroupsHeader.Value> all = graph.all(asker(s)).thenApply(ids -> header.of(ids, true));
        if (!profile.allow().groups().isEmpty()) {
            return all;
        }
        return all.exceptionallyCompose(e -> {
            Throwable cause = Causes.of(e);
            if (!(cause instanceof GroupsUnavailable u)) {
                return CompletableFuture.failedFuture(cause);
            }
            if (u.first()) {
                LOG.atWarn().addKeyValue("event", "groups.unavailable").addKeyValue("user", s.user()).addKeyValue("sid_hash", LogIds.sidHash(s.id()))
                        .addKeyValue("profile", profile.name())
                        .addKeyValue("reason", u.getMessage() + "; the groups header is sent empty and marked truncated").log();
            }
            return CompletableFuture.completedFuture(header.of(groups.ids(), false));
        });
    }

    /** The groups header of groups a token listed in full (not in overage): nothing to ask anyone. */
    GroupsHeader.Value listed(GroupClaims groups) {
        return header.of(groups.ids(), true);
    }

    GraphGroups graph() {
        return graph;
    }
}
