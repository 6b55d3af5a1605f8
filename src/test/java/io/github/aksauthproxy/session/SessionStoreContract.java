package io.github.aksauthproxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.aksauthproxy.config.Secret;
import io.github.aksauthproxy.it.MutableClock;
import io.vertx.core.http.Cookie;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What every {@link SessionStore} does, whatever it keeps where (STYLE, convention 13): a subclass per store provides
 * it with the names and clock below, so the cookie and Redis stores cannot drift apart.
 */
public abstract class SessionStoreContract {
    protected static final Duration IDLE = Duration.ofHours(1);
    protected static final CookieNames NAMES = new CookieNames(Optional.empty());
    protected final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));

    /** The store under test, on {@link #clock}, {@link #NAMES} and {@link #IDLE}. */
    protected abstract SessionStore store();

    private Session alice() {
        Instant now = clock.instant();
        return new Session("sid-from-the-callback-0001", "0f5e4a1c-1111-4222-8333-944445555666", "tenant-1", "alice@contoso.example",
                "Alice Example", "alice@contoso.example", List.of("group-a", "group-b"), new Secret("0.AXkA-refresh-" + "r".repeat(60)),
                now, now.plus(Duration.ofHours(12)), now, "alice@contoso.example", true, Optional.of("monitor"));
    }

    protected SessionStore.Saved save(Map<String, String> requestCookies) {
        return store().save(alice(), requestCookies).toCompletableFuture().join();
    }

    protected SessionStore.Loaded load(Map<String, String> cookies) {
        return store().load(cookies).toCompletableFuture().join();
    }

    private static Map<String, String> jar(List<Cookie> cookies) {
        Map<String, String> m = new HashMap<>();
        cookies.stream().filter(c -> c.getMaxAge() != 0).forEach(c -> m.put(c.getName(), c.getValue()));
        return m;
    }

    @Test
    void savedSessionLoadsBackWithEveryField() {
        SessionStore.Saved saved = save(Map.of());

        SessionStore.Loaded loaded = load(jar(saved.cookies()));

        assertThat(loaded.rejected()).isNull();
        Session s = loaded.session();
        assertThat(s.id()).isEqualTo(saved.session().id());
        assertThat(List.of(s.oid(), s.tid(), s.user(), s.name(), s.email(), s.upn(), s.refreshToken().value()))
                .isEqualTo(List.of(alice().oid(), alice().tid(), alice().user(), alice().name(), alice().email(), alice().upn(),
                        alice().refreshToken().value()));
        assertThat(s.groups()).containsExactly("group-a", "group-b");
        assertThat(s.emailVerified()).isTrue();
        assertThat(s.stepUp()).hasValue("monitor");
        assertThat(s.expiresAt()).isEqualTo(alice().expiresAt());
    }

    @Test
    void sessionCookieIsSecureHttpOnlyLaxAndLivesAsLongAsTheSession() {
        List<Cookie> cookies = save(Map.of()).cookies();

        assertThat(cookies).singleElement().satisfies(c -> {
            assertThat(c.getName()).isEqualTo("__Host-aks-auth-proxy");
            assertThat(c.getMaxAge()).isEqualTo(Duration.ofHours(12).getSeconds());
            assertThat(c.encode()).contains("; Secure").containsIgnoringCase("; HttpOnly").contains("; SameSite=Lax").contains("; Path=/");
        });
    }

    @Test
    void requestWithoutASessionCookieIsMissing() {
        assertThat(load(Map.of("app_session", "x")).rejected()).isEqualTo(SessionRejected.MISSING);
    }

    @Test
    void garbageIsARejectionNeverAFailure() {
        for (String value : List.of("", "x", "a.b.c", "a.b.c.d.e", "t1.000000000000.AAAA")) {
            SessionStore.Loaded loaded = load(Map.of(NAMES.session(), value));
            assertThat(loaded.ok()).as(value).isFalse();
            assertThat(loaded.rejected()).as(value).isNotNull();
        }
    }

    @Test
    void sessionPastItsLifetimeIsExpiredAndNamesWhoseItWas() {
        Map<String, String> cookies = jar(save(Map.of()).cookies());
        clock.advance(Duration.ofHours(12));

        SessionStore.Loaded loaded = load(cookies);

        assertThat(loaded.rejected()).isEqualTo(SessionRejected.EXPIRED);
        assertThat(loaded.expired().user()).isEqualTo("alice@contoso.example");
    }

    @Test
    void sessionUnusedForTheIdleTimeoutIsIdleExpired() {
        Map<String, String> cookies = jar(save(Map.of()).cookies());
        clock.advance(IDLE);

        SessionStore.Loaded loaded = load(cookies);

        assertThat(loaded.rejected()).isEqualTo(SessionRejected.IDLE_EXPIRED);
        assertThat(loaded.expired().user()).isEqualTo("alice@contoso.example");
    }

    @Test
    void clearExpiresTheSessionsCookiesAndNoOther() {
        List<Cookie> cleared = store().clear(Map.of(NAMES.session(), "a", NAMES.sessionChunk(0), "b", NAMES.activity(), "c",
                NAMES.login("S".repeat(43)), "d", "app_session", "e"));

        assertThat(cleared).extracting(Cookie::getName).containsExactlyInAnyOrder(NAMES.session(), NAMES.sessionChunk(0), NAMES.activity());
        assertThat(cleared).allMatch(c -> c.getMaxAge() == 0);
    }

    @Test
    void savingExpiresStaleSessionCookiesOfTheRequest() {
        List<Cookie> cookies = save(Map.of(NAMES.sessionChunk(0), "old", NAMES.activity(), "old")).cookies();

        assertThat(cookies).filteredOn(c -> c.getMaxAge() == 0).extracting(Cookie::getName)
                .containsExactlyInAnyOrder(NAMES.sessionChunk(0), NAMES.activity());
    }

    @Test
    void presentedIdNamesTheSessionAlsoOnceItHasExpired() {
        SessionStore.Saved saved = save(Map.of());
        Map<String, String> cookies = jar(saved.cookies());
        clock.advance(Duration.ofHours(12));

        assertThat(store().presentedId(cookies)).hasValue(saved.session().id());
        assertThat(store().presentedId(Map.of())).isEmpty();
    }
}
