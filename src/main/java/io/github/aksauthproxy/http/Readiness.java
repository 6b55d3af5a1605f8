package io.github.aksauthproxy.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Whether Kubernetes is to send this replica traffic. Until the first time every check passes, any failing check keeps
 * the replica out (a pod that starts without its token file, discovery or Redis gets no traffic, and a rolling update
 * stops there). From then on a failing check only marks the replica degraded: the dependencies checked are shared by
 * every replica, so failing readiness on them would take every replica out of the Service at once, and the ingress
 * would answer its own 503 for requests the replicas could still serve (cached tokens, sessions in memory) or refuse
 * properly themselves (503 with Retry-After). Only {@link #stop()} makes a replica that was ready not ready again.
 *
 * <p>The checks read a file and may fetch discovery and keys or ask Redis, so {@link #check()} blocks; {@link #ready()}
 * and {@link #failing(String)} are what the latest check found, for the metrics (a scrape runs on the event loop and
 * must not read files).
 */
final class Readiness {
    static final String SHUTTING_DOWN = "the service is shutting down (SIGTERM): requests are still answered until the listeners close";

    /**
     * What one check found.
     *
     * @param ready    whether /readyz answers 200
     * @param problems every failing check's reason: why it is not ready, or, when ready, what it is degraded by
     */
    record Verdict(boolean ready, List<String> problems) {
        Verdict {
            problems = List.copyOf(problems);
        }
    }

    private final Map<String, Supplier<Optional<String>>> checks;
    private final Map<String, Boolean> failing = new ConcurrentHashMap<>();
    private volatile boolean wasReady;
    private volatile boolean stopping;

    /** @param checks each dependency's check by a fixed name (the metrics' {@code check} label), in reporting order */
    Readiness(Map<String, Supplier<Optional<String>>> checks) {
        this.checks = new LinkedHashMap<>(checks);
        checks.keySet().forEach(name -> failing.put(name, false));
    }

    /** Runs every check (blocking). */
    Verdict check() {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Supplier<Optional<String>>> check : checks.entrySet()) {
            Optional<String> problem;
            try {
                problem = check.getValue().get();
            } catch (RuntimeException e) {
                problem = Optional.of("the " + check.getKey() + " check failed: " + e.getClass().getSimpleName());
            }
            failing.put(check.getKey(), problem.isPresent());
            problem.ifPresent(problems::add);
        }
        if (stopping) {
            problems.add(0, SHUTTING_DOWN);
            return new Verdict(false, problems);
        }
        if (problems.isEmpty()) {
            wasReady = true;
        }
        return new Verdict(wasReady, problems);
    }

    /** Whether /readyz answers 200: from the first check that found nothing wrong until {@link #stop()}. */
    boolean ready() {
        return wasReady && !stopping;
    }

    /** Whether the latest {@link #check()} found the named check failing; false before the first. */
    boolean failing(String check) {
        return failing.get(check);
    }

    /** The checks' names, in reporting order. */
    List<String> checkNames() {
        return List.copyOf(checks.keySet());
    }

    /** From now on the service is not ready: it is shutting down, and Kubernetes is to send its requests elsewhere. */
    void stop() {
        stopping = true;
    }
}
