package io.github.aksauthproxy.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code X-Auth-Request-Groups} and {@code X-Auth-Request-Groups-Truncated}: all of the user's groups when they fit
 * both bounds (so many ids, so many bytes: proxies refuse auth answers larger than their buffer), else only those
 * some profile's {@code allow.groups} names (the groups this deployment decides on), as many as fit, and the
 * marker {@code true}. Never a silent cut; never more than the bounds.
 */
final class GroupsHeader {
    static final String GROUPS = "X-Auth-Request-Groups";
    static final String TRUNCATED = "X-Auth-Request-Groups-Truncated";

    private final int maxGroups;
    private final int maxBytes;
    private final Set<String> ruleGroups;

    /** @param ruleGroups every group id named in some profile's {@code allow.groups}, lower case */
    GroupsHeader(int maxGroups, int maxBytes, Set<String> ruleGroups) {
        this.maxGroups = maxGroups;
        this.maxBytes = maxBytes;
        this.ruleGroups = Set.copyOf(ruleGroups);
    }

    /** The two header values. */
    record Value(String groups, boolean truncated) {
    }

    /** @param complete false when {@code groups} is known not to be all of the user's groups */
    Value of(List<String> groups, boolean complete) {
        if (complete && groups.size() <= maxGroups && joinedLength(groups) <= maxBytes) {
            return new Value(String.join(",", groups), false);
        }
        List<String> kept = new ArrayList<>();
        int bytes = 0;
        for (String g : groups) {
            int more = g.length() + (kept.isEmpty() ? 0 : 1);
            if (ruleGroups.contains(g.toLowerCase(Locale.ROOT)) && kept.size() < maxGroups && bytes + more <= maxBytes) {
                kept.add(g);
                bytes += more;
            }
        }
        return new Value(String.join(",", kept), true);
    }

    /** The length of the ids joined by commas; group ids are ASCII, so this is their size in bytes. */
    private static int joinedLength(List<String> groups) {
        int n = Math.max(0, groups.size() - 1);
        for (String g : groups) {
            n += g.length();
        }
        return n;
    }
}
