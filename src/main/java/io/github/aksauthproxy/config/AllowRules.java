package io.github.aksauthproxy.config;

import java.util.List;
import java.util.Set;

/**
 * Who may use a profile, before any RBAC check. An empty list sets no condition. Tenants, when listed, must
 * include the user's tenant; groups and users, when either is listed, must match the user through at least one
 * of them (a group the user is in, or a user entry).
 *
 * @param tenants tenant ids
 * @param groups group object ids
 * @param users object ids, full addresses ({@code alice@contoso.com}) or domains ({@code @contoso.com}), matched
 *     against the UPN/preferred_username and e-mail; only addresses with exactly one {@code @} ever match
 */
public record AllowRules(Set<String> tenants, Set<String> groups, List<String> users) {
    /** No condition at all. */
    public static final AllowRules ANYONE = new AllowRules(Set.of(), Set.of(), List.of());

    public AllowRules {
        tenants = Set.copyOf(tenants);
        groups = Set.copyOf(groups);
        users = List.copyOf(users);
    }

    public boolean isEmpty() {
        return tenants.isEmpty() && groups.isEmpty() && users.isEmpty();
    }
}
