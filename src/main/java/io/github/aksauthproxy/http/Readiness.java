package io.github.aksauthproxy.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Whether the service can sign people in and mint tokens: every check passes. The checks read a file and may fetch
 * discovery and keys, so {@link #check()} blocks; {@link #ready()} is what the latest check found, for the metrics
 * (a scrape runs on the event loop and must not read files).
 */
final class Readiness {
    static final String SHUTTING_DOWN = "the service is shutting down (SIGTERM): requests are still answered until the listeners close";

    private final List<Supplier<Optional<String>>> checks;
    private volatile boolean ready;
    private volatile boolean stopping;

    Readiness(List<Supplier<Optional<String>>> checks) {
        this.checks = List.copyOf(checks);
    }

    /** Runs every check (blocking); the problems found, empty when ready. */
    List<String> check() {
        List<String> problems = new ArrayList<>();
        if (stopping) {
            problems.add(SHUTTING_DOWN);
        }
        for (Supplier<Optional<String>> check : checks) {
            check.get().ifPresent(problems::add);
        }
        ready = problems.isEmpty();
        return problems;
    }

    /** What the latest {@link #check()} found; false before the first, and from {@link #stop()} on. */
    boolean ready() {
        return ready && !stopping;
    }

    /** From now on the service is not ready: it is shutting down, and Kubernetes is to send its requests elsewhere. */
    void stop() {
        stopping = true;
    }
}
