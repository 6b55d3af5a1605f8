package io.github.aksauthproxy.session;

import io.github.aksauthproxy.async.Causes;

/**
 * The store could not read or change a session now (Redis unreachable, timing out, failing over). Never means
 * "no session": the request is answered 503 with {@code Retry-After}, its cookie is kept, and it is never answered
 * 401 (which would send every user to Entra at once) nor 200 (for a session nobody could verify). The cause was
 * logged and counted where it happened, once per interval, not per request.
 */
public final class SessionStoreUnavailable extends RuntimeException {
    /** What a client is told to wait before trying again. */
    public static final int RETRY_AFTER_SECONDS = 5;
    private final String reason;

    /** @param reason a fixed word for the metric and the log ({@code unreachable}, {@code timeout}...) */
    public SessionStoreUnavailable(String reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }

    /** The SessionStoreUnavailable behind a failure that later stages may have wrapped, if it is one. */
    public static java.util.Optional<SessionStoreUnavailable> in(Throwable failure) {
        Throwable e = Causes.of(failure);
        return e instanceof SessionStoreUnavailable s ? java.util.Optional.of(s) : java.util.Optional.empty();
    }
}
