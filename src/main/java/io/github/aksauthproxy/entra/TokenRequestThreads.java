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
    private static final String MAX_IDLE_CONNECTIONS = "http.maxConnections";

    private TokenRequestThreads() {
    }

    /**
     * Lets every thread keep its connection to Entra between token requests. MSAL4J's own HTTP client is the JDK's
     * {@code HttpsURLConnection}, whose keep-alive cache keeps at most {@code http.maxConnections} idle connections per
     * host, 5 unless set: with more requests in flight, each further request paid a new TLS handshake (a profile of
     * the benchmark's cold path showed handshakes in 30% of the service's CPU samples). JVM-wide, read once by the
     * JDK, so it is set before the first connection, and never over an operator's own {@code -Dhttp.maxConnections}.
     */
    public static void keepConnectionsAlive(int inFlight) {
        if (System.getProperty(MAX_IDLE_CONNECTIONS) == null) {
            System.setProperty(MAX_IDLE_CONNECTIONS, String.valueOf(inFlight));
        }
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
