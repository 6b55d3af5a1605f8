package io.github.aksauthproxy.async;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The failure a stage carries, without the {@link CompletionException}s (and a blocking {@code get}'s
 * {@link ExecutionException}) wrapped around it.
 */
public final class Causes {
    private Causes() {
    }

    /** {@code e} itself, or what it wraps when it is only such a wrapper: the typed failure to act on. */
    public static Throwable of(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
