package io.github.aksauthproxy.ratelimit;

import java.util.concurrent.CompletionStage;

/**
 * A limit on how many requests one key (a user and profile, a client address) may make: this replica's own
 * ({@link TokenBucketLimiter}) or one shared by every replica (the redis store's). The stage never fails.
 */
public interface RateLimiter<K> {

    /** Takes one request from the key's allowance, or says how long until one is back. */
    CompletionStage<Decision> acquire(K key);

    /** The outcome of one request: allowed, or refused with the whole seconds until a request is allowed again. */
    record Decision(boolean allowed, long retryAfterSeconds) {
        public static final Decision ALLOWED = new Decision(true, 0);
    }
}
