package io.github.aksauthproxy.graph;

import java.time.Duration;
import java.util.Optional;

/** A call Microsoft Graph did not answer as asked; {@link #kind()} says whether to wait, fix a permission, or look closer. */
public final class GraphFailure extends RuntimeException {
    public enum Kind {
        /** 429, or a 503 with {@code Retry-After}: Graph throttles and says how long to wait. */
        THROTTLED,
        /**
         * 401 or 403: Graph does not accept the user's token for the call, typically {@code Authorization_RequestDenied}
         * when the app registration lacks the delegated permission (or its consent).
         */
        REFUSED,
        /** Not reached, timed out, or a 5xx. */
        UNREACHABLE,
        /** Any other status, or a body that is not what Graph sends. */
        UNEXPECTED_ANSWER
    }

    private final Kind kind;
    private final int status;
    private final String code;
    private final Optional<Duration> retryAfter;

    /**
     * @param status Graph's HTTP status; 0 when it gave none
     * @param code Graph's error code ({@code error.code} of its answer, like {@code Authorization_RequestDenied}); empty when none
     * @param message what happened, for the log; never holds a token
     */
    public GraphFailure(Kind kind, int status, String code, Optional<Duration> retryAfter, String message) {
        super(message, null, false, false);
        this.kind = kind;
        this.status = status;
        this.code = code;
        this.retryAfter = retryAfter;
    }

    public Kind kind() {
        return kind;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** Graph's own {@code Retry-After}, when it sent one. */
    public Optional<Duration> retryAfter() {
        return retryAfter;
    }
}
