package io.github.aksauthproxy.redis;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Waits for a condition, bounded by time (never by a count of tries). */
public final class Within {
    private Within() {
    }

    /** How long it took until {@code condition} held; fails the test when it did not within {@code limit}. */
    public static Duration until(Duration limit, String what, Callable<Boolean> condition) throws Exception {
        long start = System.nanoTime();
        long deadline = start + limit.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.call()) {
                    return Duration.ofNanos(System.nanoTime() - start);
                }
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(20);
        }
        throw new AssertionError(what + " did not happen within " + limit, last);
    }
}
