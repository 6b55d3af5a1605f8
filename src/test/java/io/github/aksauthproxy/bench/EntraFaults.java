package io.github.aksauthproxy.bench;

import io.github.aksauthproxy.it.EntraStandIn;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The faults the harness injects at the IdP front on command, answered the way Entra answers them: added latency,
 * 500s, 429 or 503 with {@code Retry-After}, and {@code invalid_grant} (AADSTS70008) for some sessions' refresh
 * tokens. (Refused connections and the black hole are the {@link FaultRelay}'s.) It also notes the time of every token
 * request the service made, answered or not, for the report's requests per minute, and, while told to, keeps the
 * refresh tokens Entra hands out at sign-in (the sessions whose refresh tokens the invalid_grant fault refuses).
 */
final class EntraFaults implements EntraFront.Interceptor {
    /**
     * What the front does to token requests now.
     *
     * @param refusedRefreshTokens the refresh tokens answered invalid_grant
     */
    record Fault(String label, long latencyMs, int status, int retryAfterSeconds, Set<String> refusedRefreshTokens) {
        static final Fault NONE = new Fault("none", 0, 0, 0, Set.of());

        static Fault latency(long ms) {
            return new Fault("latency " + ms + " ms", ms, 0, 0, Set.of());
        }

        static Fault status(int status, int retryAfterSeconds) {
            return new Fault(status + (retryAfterSeconds > 0 ? " with Retry-After: " + retryAfterSeconds : ""), 0, status,
                    retryAfterSeconds, Set.of());
        }

        static Fault invalidGrant(Set<String> refreshTokens) {
            return new Fault("invalid_grant for " + refreshTokens.size() + " refresh tokens", 0, 0, 0, Set.copyOf(refreshTokens));
        }
    }

    private final Vertx vertx;
    private final long startNanos;
    private volatile Fault fault = Fault.NONE;
    /** Milliseconds since the run started, one per token request. */
    private final ConcurrentLinkedQueue<Long> tokenRequestTimes = new ConcurrentLinkedQueue<>();
    private final Set<String> kept = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean keeping;

    EntraFaults(Vertx vertx, long startNanos) {
        this.vertx = vertx;
        this.startNanos = startNanos;
    }

    void set(Fault next) {
        fault = next;
        BenchRun.log("Entra front: " + next.label());
    }

    /** From now on, until {@link #keptRefreshTokens()}, the refresh tokens of sign-ins (authorization-code answers) are kept. */
    void keepSignInRefreshTokens() {
        kept.clear();
        keeping = true;
    }

    /** The refresh tokens kept since {@link #keepSignInRefreshTokens()}; stops keeping. */
    Set<String> keptRefreshTokens() {
        keeping = false;
        return Set.copyOf(kept);
    }

    @Override
    public void answered(String grantType, String answer) {
        if (keeping && grantType.equals("authorization_code")) {
            String refreshToken = new io.vertx.core.json.JsonObject(answer).getString("refresh_token");
            if (refreshToken != null) {
                kept.add(refreshToken);
            }
        }
    }

    List<Long> tokenRequestTimes() {
        return List.copyOf(tokenRequestTimes);
    }

    @Override
    public Future<Boolean> intercept(HttpServerRequest in, Buffer body) {
        Fault f = fault;
        if (!in.path().endsWith("/token")) {
            // Discovery and keys: slow when Entra is slow, failing when it fails; never refused per user.
            return f.latencyMs > 0 ? delay(f.latencyMs).map(false) : f.status >= 500 ? answer(in, f) : Future.succeededFuture(false);
        }
        tokenRequestTimes.add((System.nanoTime() - startNanos) / 1_000_000);
        if (f.latencyMs > 0) {
            return delay(f.latencyMs).map(false);
        }
        if (f.status > 0) {
            return answer(in, f);
        }
        String refreshToken = formField(body.toString(), "refresh_token");
        if (f.refusedRefreshTokens.contains(refreshToken)) {
            in.response().setStatusCode(400).putHeader("Content-Type", "application/json; charset=utf-8")
                    .end(EntraStandIn.entraError(400, "invalid_grant", "AADSTS70008", null, null).getBody().readUtf8());
            return Future.succeededFuture(true);
        }
        return Future.succeededFuture(false);
    }

    private static Future<Boolean> answer(HttpServerRequest in, Fault f) {
        if (f.retryAfterSeconds > 0) {
            in.response().putHeader("Retry-After", String.valueOf(f.retryAfterSeconds));
        }
        String error = f.status == 429 ? "AADSTS50196" : "AADSTS90033";
        in.response().setStatusCode(f.status).putHeader("Content-Type", "application/json; charset=utf-8")
                .end(EntraStandIn.entraError(f.status, f.status == 429 ? "temporarily_unavailable" : "server_error", error, null, null)
                        .getBody().readUtf8());
        return Future.succeededFuture(true);
    }

    private Future<Void> delay(long ms) {
        Promise<Void> p = Promise.promise();
        vertx.setTimer(ms, id -> p.complete());
        return p.future();
    }

    private static String formField(String form, String name) {
        for (String pair : form.split("&")) {
            if (pair.startsWith(name + "=")) {
                return URLDecoder.decode(pair.substring(name.length() + 1), StandardCharsets.UTF_8);
            }
        }
        return "";
    }
}
