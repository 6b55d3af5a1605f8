package io.github.aksauthproxy.session;

import io.github.aksauthproxy.config.Secret;
import io.vertx.core.http.Cookie;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** Writes and reads the per-attempt sign-in cookie. */
public final class LoginStateCookies {
    /** How long a sign-in may take between /oauth2/start and /oauth2/callback. */
    public static final Duration MAX_AGE = Duration.ofMinutes(10);
    /** More pending attempts than this and the older ones are dropped, so the Cookie header stays small. */
    static final int MAX_PENDING = 4;
    private static final Pattern STATE = Pattern.compile("[A-Za-z0-9_-]{16,128}");
    private static final String KIND = "login";

    private final CookieCodec codec;
    private final CookieNames names;
    private final Clock clock;

    public LoginStateCookies(CookieCodec codec, CookieNames names, Clock clock) {
        this.codec = codec;
        this.names = names;
        this.clock = clock;
    }

    public Cookie write(LoginState s) {
        JsonObject json = new JsonObject().put("state", s.state()).put("nonce", s.nonce().value())
                .put("verifier", s.codeVerifier().value()).put("rd", s.redirectTarget()).put("iat", s.createdAt().getEpochSecond());
        s.stepUp().ifPresent(p -> json.put("su", p));
        return names.set(names.login(s.state()), codec.encrypt(KIND, json), MAX_AGE.getSeconds());
    }

    /** The attempt this {@code state} belongs to, or why there is none. */
    public Result read(String state, Map<String, String> cookies) {
        if (state == null || !STATE.matcher(state).matches()) {
            return Result.failed(LoginRejected.BAD_STATE);
        }
        String value = cookies.get(names.login(state));
        if (value == null) {
            return Result.failed(LoginRejected.NO_LOGIN_COOKIE);
        }
        CookieCodec.Decoded d = codec.decrypt(KIND, value);
        if (!d.ok()) {
            return Result.failed(LoginRejected.UNREADABLE_LOGIN_COOKIE);
        }
        JsonObject j = d.payload();
        try {
            if (!state.equals(j.getString("state"))) {
                return Result.failed(LoginRejected.STATE_MISMATCH);
            }
            Instant created = Instant.ofEpochSecond(j.getLong("iat"));
            if (Duration.between(created, clock.instant()).compareTo(MAX_AGE) > 0) {
                return Result.failed(LoginRejected.TOO_OLD);
            }
            return new Result(new LoginState(state, new Secret(j.getString("nonce")), new Secret(j.getString("verifier")),
                    j.getString("rd"), created, java.util.Optional.ofNullable(j.getString("su"))), null);
        } catch (ClassCastException | NullPointerException | DateTimeException e) {
            return Result.failed(LoginRejected.UNREADABLE_LOGIN_COOKIE);
        }
    }

    /**
     * Where the attempt of this {@code state} was going, read from its cookie even when the attempt can no longer
     * complete (too old): only for the error page's "Sign in again" link, which validates it again.
     */
    public Optional<String> redirectTarget(String state, Map<String, String> cookies) {
        if (state == null || !STATE.matcher(state).matches() || cookies.get(names.login(state)) == null) {
            return Optional.empty();
        }
        CookieCodec.Decoded d = codec.decrypt(KIND, cookies.get(names.login(state)));
        if (!d.ok() || !state.equals(d.payload().getValue("state")) || !(d.payload().getValue("rd") instanceof String rd)) {
            return Optional.empty();
        }
        return Optional.of(rd);
    }

    /** A cookie removing this attempt's sign-in cookie, when the browser sent one. */
    public List<Cookie> clearIfPresent(String state, Map<String, String> cookies) {
        return state != null && cookies.containsKey(names.login(state)) ? List.of(names.expire(names.login(state))) : List.of();
    }

    /** When too many attempts are pending, cookies that drop them all (a new attempt starts right after). */
    public List<Cookie> dropPendingIfTooMany(Map<String, String> cookies) {
        List<String> pending = cookies.keySet().stream().filter(n -> n.startsWith(names.loginPrefix())).toList();
        return pending.size() < MAX_PENDING ? List.of() : pending.stream().map(names::expire).toList();
    }

    /** The attempt, or why the callback cannot be trusted; exactly one is set. */
    public record Result(LoginState state, LoginRejected rejected) {
        static Result failed(LoginRejected why) {
            return new Result(null, why);
        }
    }
}
