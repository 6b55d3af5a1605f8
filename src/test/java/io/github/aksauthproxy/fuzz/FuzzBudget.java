package io.github.aksauthproxy.fuzz;

import java.util.List;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.AroundTryHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;
import net.jqwik.api.lifecycle.TryExecutionResult;
import net.jqwik.api.lifecycle.TryExecutor;
import net.jqwik.api.lifecycle.TryLifecycleContext;

/**
 * The budget of a fuzz property ({@code @AddLifecycleHook(FuzzBudget.class)} on the class). In the suite a property runs
 * the tries its annotation names, but stops generating new ones after {@value #DEFAULT_SECONDS} seconds, so a slow or
 * busy machine cannot stretch {@code mvn verify}. A longer run names its own budget:
 * {@code -Dfuzz.tries=100000} (then no time limit unless {@code -Dfuzz.seconds=N} sets one). Once a try has failed,
 * the clock no longer stops anything: shrinking that failure runs to its end.
 */
public final class FuzzBudget implements AroundPropertyHook, AroundTryHook {
    /** Tries of every fuzz property, instead of its annotation's. */
    public static final String TRIES = "fuzz.tries";
    /** Seconds after which a fuzz property starts no new try (0: no limit). */
    public static final String SECONDS = "fuzz.seconds";
    static final long DEFAULT_SECONDS = 2;
    private static final ThreadLocal<Deadline> DEADLINE = new ThreadLocal<>();

    private static final class Deadline {
        final long at;
        boolean failed;

        Deadline(long at) {
            this.at = at;
        }
    }

    /** Registered on a class, the budget applies to each of its properties (jqwik's default is the class alone). */
    @Override
    public PropagationMode propagateTo() {
        return PropagationMode.ALL_DESCENDANTS;
    }

    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
        Integer tries = Integer.getInteger(TRIES);
        // jqwik combines the edge cases of every generator up front: with values of several kilobytes built from many
        // combinators that costs seconds before the first try. The generators mix their own edge cases in instead.
        context.attributes().setEdgeCases(EdgeCasesMode.NONE);
        if (tries != null) {
            context.attributes().setTries(tries);
        }
        long seconds = Long.getLong(SECONDS, tries == null ? DEFAULT_SECONDS : 0);
        DEADLINE.set(new Deadline(seconds > 0 ? System.nanoTime() + seconds * 1_000_000_000L : Long.MAX_VALUE));
        try {
            return property.execute();
        } finally {
            DEADLINE.remove();
        }
    }

    @Override
    public TryExecutionResult aroundTry(TryLifecycleContext context, TryExecutor aTry, List<Object> parameters) {
        Deadline deadline = DEADLINE.get();
        if (deadline != null && !deadline.failed && deadline.at != Long.MAX_VALUE && System.nanoTime() - deadline.at > 0) {
            return TryExecutionResult.satisfied(true);
        }
        TryExecutionResult result = aTry.execute(parameters);
        if (deadline != null && result.isFalsified()) {
            deadline.failed = true;
        }
        return result;
    }
}
