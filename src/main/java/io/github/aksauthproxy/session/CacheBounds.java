package io.github.aksauthproxy.session;

import com.github.benmanes.caffeine.cache.Weigher;

/** Caches about sessions bounded by bytes and by count at once (Caffeine takes one bound, a weight). */
public final class CacheBounds {
    private CacheBounds() {
    }

    /**
     * @param bytes what an entry retains, about
     * @return a weigher under which each entry weighs at least {@code maxBytes / mostEntries}, so that no more than
     *     {@code mostEntries} fit in a cache of {@code maximumWeight(maxBytes)}
     */
    public static <K, V> Weigher<K, V> bytesAndCount(long maxBytes, int mostEntries, Weigher<K, V> bytes) {
        int least = (int) Math.min(Integer.MAX_VALUE, Math.max(1, maxBytes / mostEntries));
        return (k, v) -> Math.max(least, bytes.weigh(k, v));
    }
}
