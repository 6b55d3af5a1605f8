package io.github.aksauthproxy.redis;

import io.github.aksauthproxy.async.Causes;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import java.util.Optional;
import java.util.concurrent.ExecutionException;

/**
 * Redis did not answer a command usefully. Never means "no such session" or "no token": a caller answers 503 with
 * {@code Retry-After} and keeps the user's cookie. The message names the cause for the log and never holds a key's
 * value, a password or a token.
 */
public final class RedisUnavailable extends RuntimeException {
    /** What kind of failure, for the log's {@code reason} and the metric's label. */
    public enum Reason {
        /** No connection: refused, closed, not yet re-established, or the address does not resolve. */
        UNREACHABLE("unreachable"),
        /** Connected, but no answer within the command timeout. */
        TIMEOUT("timeout"),
        /** The server refused our credentials (WRONGPASS, NOAUTH) or the user's permissions (NOPERM). */
        AUTHENTICATION("authentication"),
        /** The server is there but cannot serve now: loading, failing over, read-only replica, cluster down, busy. */
        NOT_READY("not_ready"),
        /** The server rejected a command it should have accepted: a bug here or an incompatible server. */
        REJECTED("rejected");

        private final String label;

        Reason(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private final Reason reason;

    public RedisUnavailable(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /** The failure as this type: itself when it is one, else classified from Lettuce's exception. */
    public static RedisUnavailable from(Throwable failure) {
        Throwable e = Causes.of(failure);
        if (e instanceof RedisUnavailable r) {
            return r;
        }
        if (e instanceof RedisCommandTimeoutException) {
            return new RedisUnavailable(Reason.TIMEOUT, "Redis did not answer in time");
        }
        // A connection the server refused during its handshake (AUTH, HELLO) fails with the server's answer as the cause.
        RedisCommandExecutionException refused = e instanceof RedisConnectionException ? refusal(e) : null;
        if (refused != null) {
            e = refused;
        }
        if (e instanceof RedisCommandExecutionException x) {
            String first = firstWord(x.getMessage());
            return switch (first) {
                case "NOAUTH", "WRONGPASS", "NOPERM" -> new RedisUnavailable(Reason.AUTHENTICATION, "Redis refused the service's credentials ("
                        + first + "): check the user name, password or Entra access policy");
                case "LOADING", "MASTERDOWN", "READONLY", "CLUSTERDOWN", "TRYAGAIN", "BUSY", "MOVED", "ASK" ->
                        new RedisUnavailable(Reason.NOT_READY, "Redis cannot serve now (" + first + ")");
                default -> new RedisUnavailable(Reason.REJECTED, "Redis rejected a command (" + first + ")");
            };
        }
        if (e instanceof io.lettuce.core.RedisException && String.valueOf(e.getMessage()).startsWith("Currently not connected")) {
            return new RedisUnavailable(Reason.UNREACHABLE, "the connection to Redis is down; reconnecting");
        }
        if (e instanceof RedisConnectionException || e instanceof java.io.IOException) {
            return new RedisUnavailable(Reason.UNREACHABLE, "cannot connect to Redis: " + oneLine(e.getMessage()));
        }
        return new RedisUnavailable(Reason.UNREACHABLE, "Redis failed: " + e.getClass().getSimpleName() + " " + oneLine(e.getMessage()));
    }

    /** The RedisUnavailable behind a failure that later stages may have wrapped, if it is one. */
    public static Optional<RedisUnavailable> in(Throwable failure) {
        return Causes.of(failure) instanceof RedisUnavailable r ? Optional.of(r) : Optional.empty();
    }

    private static RedisCommandExecutionException refusal(Throwable e) {
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c instanceof RedisCommandExecutionException x) {
                return x;
            }
        }
        return null;
    }

    private static String firstWord(String message) {
        if (message == null || message.isBlank()) {
            return "ERR";
        }
        String s = message.strip();
        int space = s.indexOf(' ');
        return space < 0 ? s : s.substring(0, space);
    }

    /** Lettuce's messages name addresses and causes, never command arguments; keep them to one short line anyway. */
    private static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        String line = s.lines().findFirst().orElse("");
        return line.length() > 200 ? line.substring(0, 200) : line;
    }
}
