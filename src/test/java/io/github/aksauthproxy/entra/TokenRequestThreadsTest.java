package io.github.aksauthproxy.entra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TokenRequestThreadsTest {

    @Test
    void atMostTheLimitRunAtOnceAndEveryTaskBeyondItRunsLater() throws Exception {
        ExecutorService pool = TokenRequestThreads.create(3, "test-entra-");
        CountDownLatch entraAnswers = new CountDownLatch(1);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        List<Future<?>> tasks = new ArrayList<>();
        try {
            for (int i = 0; i < 10; i++) {
                tasks.add(pool.submit(() -> {
                    peak.accumulateAndGet(running.incrementAndGet(), Math::max);
                    entraAnswers.await(10, TimeUnit.SECONDS);
                    running.decrementAndGet();
                    return null;
                }));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (running.get() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            Thread.sleep(200);
            assertThat(running.get()).isEqualTo(3);
            entraAnswers.countDown();
            for (Future<?> t : tasks) {
                t.get(10, TimeUnit.SECONDS);
            }
            assertThat(peak.get()).isEqualTo(3);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aLimitBelowOneIsRefused() {
        assertThatThrownBy(() -> TokenRequestThreads.create(0, "x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("token requests in flight must be at least 1, not 0");
    }

    @Test
    void idleConnectionsKeptFollowTheLimitUnlessTheOperatorSetThemAlready() {
        String before = System.getProperty("http.maxConnections");
        try {
            System.clearProperty("http.maxConnections");
            TokenRequestThreads.keepConnectionsAlive(128);
            assertThat(System.getProperty("http.maxConnections")).isEqualTo("128");

            System.setProperty("http.maxConnections", "7");
            TokenRequestThreads.keepConnectionsAlive(256);
            assertThat(System.getProperty("http.maxConnections")).isEqualTo("7");
        } finally {
            if (before == null) {
                System.clearProperty("http.maxConnections");
            } else {
                System.setProperty("http.maxConnections", before);
            }
        }
    }
}
