package io.github.aksauthproxy.config;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * How the groups of a user are had and sent: Microsoft Graph for users in group overage (more than 200 groups, so
 * the ID token names none), how long Graph's answers are kept, and how large {@code X-Auth-Request-Groups} may be.
 *
 * @param graphUrl Microsoft Graph of the cloud, like {@code https://graph.microsoft.com} (no trailing slash); empty when
 *     the authority host belongs to no known cloud and no override is set
 * @param graphScope the delegated scope of the user's Graph token, like {@code https://graph.microsoft.com/User.Read}
 * @param cacheTtl how long one session's answers from Graph are reused (never beyond the session's end)
 * @param headerMaxBytes most bytes of {@code X-Auth-Request-Groups}
 */
public record GroupsConfig(Optional<URI> graphUrl, String graphScope, Duration cacheTtl, int headerMaxBytes) {
}
