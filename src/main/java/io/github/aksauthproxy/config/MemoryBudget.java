package io.github.aksauthproxy.config;

/**
 * How the heap is shared among the caches that grow with the number of users, so that together they stay well
 * inside it: the token cache takes {@code AKS_AUTH_PROXY_TOKEN_CACHE_MAX_BYTES} (default a quarter of the heap), the
 * other caches fixed shares of the heap (README "Memory"). The rest is for requests in flight, the libraries, and the
 * garbage collector's headroom.
 *
 * @param tokenCacheBytes minted access tokens (least recently used go first)
 * @param sessionCacheBytes decoded session cookies (cookie store) or sessions read from Redis, and their activity
 * @param groupsCacheBytes each of: the groups of the latest token per session, Microsoft Graph's answers per session
 * @param refusalsBytes each of: Entra's remembered failures per session and profile, sessions Entra ended
 */
public record MemoryBudget(long tokenCacheBytes, long sessionCacheBytes, long groupsCacheBytes, long refusalsBytes) {
    /** The token cache's default share of the heap ({@link Runtime#maxMemory()}). */
    public static final int TOKEN_CACHE_PERCENT = 25;
    static final int SESSION_CACHE_PERCENT = 10;
    static final int GROUPS_CACHE_PERCENT = 5;
    static final int REFUSALS_PERCENT = 2;

    /** @param tokenCacheBytes the setting's value, or 0 for the default share of {@code maxHeap} */
    public static MemoryBudget of(long maxHeap, long tokenCacheBytes) {
        return new MemoryBudget(tokenCacheBytes > 0 ? tokenCacheBytes : share(maxHeap, TOKEN_CACHE_PERCENT),
                share(maxHeap, SESSION_CACHE_PERCENT), share(maxHeap, GROUPS_CACHE_PERCENT), share(maxHeap, REFUSALS_PERCENT));
    }

    /** The budget of this JVM's heap. */
    public static MemoryBudget ofThisHeap(long tokenCacheBytes) {
        return of(Runtime.getRuntime().maxMemory(), tokenCacheBytes);
    }

    private static long share(long maxHeap, int percent) {
        return maxHeap * percent / 100;
    }
}
