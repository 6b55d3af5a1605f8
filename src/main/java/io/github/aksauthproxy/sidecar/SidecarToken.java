package io.github.aksauthproxy.sidecar;

import io.github.aksauthproxy.async.Causes;
import io.github.aksauthproxy.entra.AccessToken;
import io.github.aksauthproxy.entra.EntraAppTokens;
import io.github.aksauthproxy.entra.IdpFailure;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sidecar's one app-only token, renewed ahead of its expiry. While Entra cannot be reached the token in hand
 * keeps serving until shortly before it expires; renewal is retried every {@link #RETRY_AFTER_FAILURE}.
 * Never blocks: renewals run on MSAL4J's executor.
 */
final class SidecarToken {
    private static final Logger LOG = LoggerFactory.getLogger(SidecarToken.class);
    /** A token is not sent with less than this left: the upstream needs time to check it. */
    static final Duration EXPIRY_MARGIN = Duration.ofMinutes(1);
    /** Renew this long before expiry (or at two thirds of a shorter life). */
    static final Duration RENEW_AHEAD = Duration.ofMinutes(5);
    static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(10);

    private final EntraAppTokens entra;
    private final String scope;
    private final Clock clock;
    private final AtomicReference<CompletableFuture<AccessToken>> inFlight = new AtomicReference<>();
    private volatile AccessToken current;
    private volatile Instant obtainedAt = Instant.MIN;
    private volatile Instant retryAt = Instant.MIN;
    private volatile String lastError;

    /** What {@code /health} reports. */
    record Status(boolean valid, Optional<Instant> expiresAt, Optional<String> lastError) {
    }

    SidecarToken(EntraAppTokens entra, String scope, Clock clock) {
        this.entra = entra;
        this.scope = scope;
        this.clock = clock;
    }

    /** Asks for the first token; fails with {@link IdpFailure} when there is none to be had. */
    CompletableFuture<AccessToken> first() {
        return renew();
    }

    /** The token to send now, if there is a usable one; starts a renewal when one is due. */
    Optional<AccessToken> valid() {
        renewIfDue();
        AccessToken t = current;
        return t != null && clock.instant().isBefore(t.expiresOn().minus(EXPIRY_MARGIN)) ? Optional.of(t) : Optional.empty();
    }

    Status status() {
        Optional<AccessToken> t = valid();
        return new Status(t.isPresent(), Optional.ofNullable(current).map(AccessToken::expiresOn), Optional.ofNullable(lastError));
    }

    /** Starts a renewal if the token is due for one and none is running or waiting out a failure. */
    void renewIfDue() {
        Instant now = clock.instant();
        AccessToken t = current;
        if (t != null && now.isBefore(renewAt(t)) || now.isBefore(retryAt)) {
            return;
        }
        renew();
    }

    private Instant renewAt(AccessToken t) {
        Duration third = Duration.between(obtainedAt, t.expiresOn()).dividedBy(3);
        return t.expiresOn().minus(third.compareTo(RENEW_AHEAD) < 0 ? third : RENEW_AHEAD);
    }

    private CompletableFuture<AccessToken> renew() {
        CompletableFuture<AccessToken> mine = new CompletableFuture<>();
        CompletableFuture<AccessToken> running = inFlight.compareAndExchange(null, mine);
        if (running != null) {
            return running;
        }
        Instant asked = clock.instant();
        entra.acquire(scope).whenComplete((token, error) -> {
            if (error == null) {
                current = token;
                obtainedAt = asked;
                lastError = null;
                LOG.atInfo().addKeyValue("event", "sidecar.token_renewed").addKeyValue("scope", scope)
                        .addKeyValue("expires_at", token.expiresOn()).log();
            } else {
                Throwable cause = Causes.of(error);
                lastError = cause instanceof IdpFailure f ? f.describe() : cause.getClass().getSimpleName();
                retryAt = clock.instant().plus(RETRY_AFTER_FAILURE);
                LOG.atWarn().addKeyValue("event", "sidecar.token_renewal_failed").addKeyValue("scope", scope)
                        .addKeyValue("reason", lastError).log();
            }
            inFlight.set(null);
            if (error == null) {
                mine.complete(token);
            } else {
                mine.completeExceptionally(Causes.of(error));
            }
        });
        return mine;
    }
}
