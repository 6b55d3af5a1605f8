package io.github.aksauthproxy.entra;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads MSAL4J makes its token requests on. MSAL4J runs each request, the HTTP round trip to Entra included,
 * as one blocking task on the executor it is given, so the number of threads is the number of requests in flight:
 * at 150 ms per round trip, 8 threads mint at most about 53 tokens a second. Requests beyond the limit wait in
 * order (an unbounded queue: nothing is dropped, and the single flight per session and profile keeps the queue as
 * short as the number of distinct sessions waiting). Threads start when needed and end after a minute idle, so an
 * idle replica holds none. Platform threads, so the jar runs on Java 17.
 */
public final class TokenRequestThreads {
    private static final long IDLE_SECONDS = 60;

    private TokenRequestThreads() {
    }

    /** @param inFlight most tasks running at once (token requests, and the readiness check that shares the pool) */
    public static ExecutorService create(int inFlight, String namePrefix) {
        if (inFlight < 1) {
            throw new IllegalArgumentException("token requests in flight must be at least 1, not " + inFlight);
        }
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(inFlight, inFlight, IDLE_SECONDS, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, namePrefix + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
