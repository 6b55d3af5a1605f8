package io.github.aksauthproxy.redis;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts Redis failures by reason and logs them at most once per interval: when Redis is down every request fails,
 * and one line per request would drown the log. The line says how many failures it stands for.
 */
public final class RedisFailureLog {
    private static final Logger LOG = LoggerFactory.getLogger(RedisFailureLog.class);
    private final long intervalNanos;
    private final Map<RedisUnavailable.Reason, LongAdder> counts = new EnumMap<>(RedisUnavailable.Reason.class);
    private final AtomicLong nextLog = new AtomicLong(System.nanoTime());
    private final LongAdder sinceLastLine = new LongAdder();

    public RedisFailureLog(java.time.Duration interval) {
        this.intervalNanos = interval.toNanos();
        for (RedisUnavailable.Reason r : RedisUnavailable.Reason.values()) {
            counts.put(r, new LongAdder());
        }
    }

    /** Ten seconds between log lines. */
    public static RedisFailureLog everyTenSeconds() {
        return new RedisFailureLog(java.time.Duration.ofSeconds(10));
    }

    void record(RedisUnavailable failure) {
        counts.get(failure.reason()).increment();
        sinceLastLine.increment();
        long now = System.nanoTime();
        long due = nextLog.get();
        if (now - due >= 0 && nextLog.compareAndSet(due, now + intervalNanos)) {
            LOG.atWarn().addKeyValue("event", "redis.unavailable").addKeyValue("reason", failure.reason().label())
                    .addKeyValue("failures", sinceLastLine.sumThenReset())
                    .addKeyValue("interval_s", TimeUnit.NANOSECONDS.toSeconds(intervalNanos)).log(failure.getMessage());
        }
    }

    /** Failures of one reason since start. */
    public long count(RedisUnavailable.Reason reason) {
        return counts.get(reason).sum();
    }
}
