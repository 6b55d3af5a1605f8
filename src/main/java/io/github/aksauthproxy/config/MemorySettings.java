package io.github.aksauthproxy.config;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The memory settings: the token cache's byte bound ({@code AKS_AUTH_PROXY_TOKEN_CACHE_MAX_BYTES}) and, from the
 * heap, the other caches' shares ({@link MemoryBudget}). Every problem is added to the caller's list.
 */
public final class MemorySettings {
    /** Plain bytes, or KiB/MiB/GiB as {@code k}, {@code m}, {@code g} (Kubernetes' {@code Ki}, {@code Mi}, {@code Gi} too). */
    private static final Pattern SIZE = Pattern.compile("(\\d{1,15})([kmg]i?)?", Pattern.CASE_INSENSITIVE);
    static final long MIN_TOKEN_CACHE = 1L << 20;
    /** More than this share of the heap leaves too little for everything else: the JVM would run out first. */
    static final int MAX_TOKEN_CACHE_PERCENT = 75;

    private MemorySettings() {
    }

    /** @param maxHeap the heap the service runs with ({@link Runtime#maxMemory()}) */
    public static MemoryBudget parse(Map<String, String> env, long maxHeap, List<ConfigProblem> problems) {
        Setting s = Setting.AKS_AUTH_PROXY_TOKEN_CACHE_MAX_BYTES;
        Optional<String> v = Optional.ofNullable(env.get(s.name())).map(String::strip).filter(x -> !x.isEmpty());
        if (v.isEmpty()) {
            return MemoryBudget.of(maxHeap, 0);
        }
        long bytes = size(v.get());
        long most = maxHeap * MAX_TOKEN_CACHE_PERCENT / 100;
        if (bytes < 0) {
            problems.add(new ConfigProblem(s.name(), "'" + v.get() + "' is not a size; write bytes (67108864) or 64m, 512Mi, 1g"));
        } else if (bytes < MIN_TOKEN_CACHE) {
            problems.add(new ConfigProblem(s.name(), "'" + v.get() + "' is less than 1m; a cache that small holds a few hundred tokens"));
        } else if (bytes > most) {
            problems.add(new ConfigProblem(s.name(), "'" + v.get() + "' is more than " + MAX_TOKEN_CACHE_PERCENT + "% of the heap ("
                    + mib(maxHeap) + "): the JVM would run out of memory before the cache is full; lower it or raise the memory limit"));
        }
        return MemoryBudget.of(maxHeap, Math.max(bytes, 0));
    }

    /** Bytes, or -1 when {@code text} is not a size. */
    static long size(String text) {
        Matcher m = SIZE.matcher(text.strip());
        if (!m.matches()) {
            return -1;
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "" : m.group(2).substring(0, 1).toLowerCase(Locale.ROOT);
        int shift = switch (unit) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            default -> 0;
        };
        return n > Long.MAX_VALUE >> shift ? -1 : n << shift;
    }

    static String mib(long bytes) {
        return (bytes >> 20) + " MiB";
    }
}
