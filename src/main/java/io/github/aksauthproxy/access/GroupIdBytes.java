package io.github.aksauthproxy.access;

import java.util.Collection;

/** About what group ids and the cache entries around them retain, for the caches' byte bounds. */
final class GroupIdBytes {
    /** A cache entry with its key and value objects, without the ids. */
    static final int ENTRY = 200;
    /** One group id: a 36-character GUID string (24 + 16 + 40 aligned) and its slot in a list or set node (32). */
    private static final int PER_ID = 112;

    private GroupIdBytes() {
    }

    static int of(Collection<?> ids) {
        return ids.size() * PER_ID;
    }
}
