package io.github.aksauthproxy.http;

import io.github.aksauthproxy.access.GraphGroups;
import io.github.aksauthproxy.access.LatestGroups;
import io.github.aksauthproxy.access.Subject;
import io.github.aksauthproxy.config.Profile;
import io.github.aksauthproxy.entra.AccessToken;
import io.github.aksauthproxy.oidc.GroupClaims;
import io.github.aksauthproxy.session.Session;
import io.github.aksauthproxy.token.TokenService;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The groups of a signed-in session, for the allow rules, the groups header and the whoami page: those of the latest
 * token minted for it (else of its sign-in), and for a user in group overage, Microsoft Graph's, asked with the
 * session's own Graph token (minted from its refresh token like any profile's).
 */
final class SessionGroups {
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
     * The groups header of the session: its known groups, or in overage every group Graph gives. Fails as
     * {@link GraphGroups#all} fails.
     */
    CompletableFuture<GroupsHeader.Value> header(Session s, GroupClaims groups) {
        if (!groups.overage()) {
            return CompletableFuture.completedFuture(header.of(groups.ids(), true));
        }
        return graph.all(asker(s)).thenApply(all -> header.of(all, true));
    }

    /** The header when Graph cannot give the groups of a user in overage: those known (none), marked truncated. */
    GroupsHeader.Value headerWithoutGraph(GroupClaims groups) {
        return header.of(groups.ids(), false);
    }

    GraphGroups graph() {
        return graph;
    }
}
