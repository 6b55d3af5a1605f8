package io.github.aksauthproxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.Base64URL;
import io.github.aksauthproxy.config.CookieKey;
import io.github.aksauthproxy.config.Secret;
import io.github.aksauthproxy.fuzz.ClientValues;
import io.github.aksauthproxy.fuzz.FuzzBudget;
import io.github.aksauthproxy.it.MutableClock;
import io.vertx.core.http.Cookie;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * The cookie codec and what reads it (session chunks, sign-in state), fed what a client can send: every value is either
 * the exact payload that was encrypted or a typed rejection, never an exception; a value changed anywhere is rejected
 * unless the change left every authenticated byte as it was.
 */
@AddLifecycleHook(FuzzBudget.class)
class CookieCodecPropertyTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final CookieKey KEY = CookieKey.of(bytes(32));
    private static final CookieKey OLD_KEY = CookieKey.of(bytes(32));
    private static final CookieCodec CODEC = new CookieCodec(List.of(KEY, OLD_KEY));
    private static final MutableClock CLOCK = new MutableClock(Instant.parse("2026-12-01T08:00:00Z"));
    private static final CookieNames NAMES = new CookieNames(Optional.empty());
    private static final SessionCookieStore STORE = new SessionCookieStore(CODEC, NAMES, CLOCK, Duration.ofHours(1));
    private static final LoginStateCookies LOGINS = new LoginStateCookies(CODEC, NAMES, CLOCK);
    private static final String STATE = "0123456789abcdefABCDEF_-xyz";
    private static final JsonObject PAYLOAD = new JsonObject().put("sid", "s").put("rt", "r".repeat(300)).put("n", 1);
    private static final String VALID = CODEC.encrypt("session", PAYLOAD);
    private static final String OLD_KEY_VALUE = new CookieCodec(List.of(OLD_KEY)).encrypt("session", PAYLOAD);
    private static final String LOGIN = CODEC.encrypt("login", new JsonObject().put("state", STATE));

    @Property(tries = 1000)
    void anyValueDecryptsToItsPayloadOrATypedRejection(@ForAll("clientValues") String value) {
        CookieCodec.Decoded d = CODEC.decrypt("session", value);
        assertThat(d.ok()).as("exactly one of payload and rejection").isEqualTo(d.rejected() == null);
        if (d.ok()) {
            assertThat(sameBytes(VALID, value) || sameBytes(OLD_KEY_VALUE, value)).as("accepted only as the value that was encrypted").isTrue();
            assertThat(d.payload()).isEqualTo(PAYLOAD.copy().put("k", "session"));
        }
    }

    @Property(tries = 1000)
    void aChangedValueIsRejectedUnlessEveryAuthenticatedByteIsUnchanged(@ForAll("tamperedSessions") String value) {
        CookieCodec.Decoded d = CODEC.decrypt("session", value);
        // Two changes may splice the whole of the old key's value in: that one is as valid as the original. A value of
        // the same bytes may still be refused (nimbus is stricter than base64 about, for one, an encrypted key "A").
        if (d.ok()) {
            assertThat(sameBytes(VALID, value) || sameBytes(OLD_KEY_VALUE, value)).as("accepted only unchanged").isTrue();
            assertThat(d.payload()).isEqualTo(PAYLOAD.copy().put("k", "session"));
        }
    }

    @Property(tries = 300)
    void everyPayloadSurvivesTheRoundTripAndIsNoOtherKind(@ForAll("payloads") JsonObject payload) {
        String value = CODEC.encrypt("session", payload);
        assertThat(CODEC.decrypt("session", value).payload()).isEqualTo(payload.copy().put("k", "session"));
        assertThat(CODEC.decrypt("login", value).rejected()).isEqualTo(SessionRejected.WRONG_KIND);
        assertThat(new CookieCodec(List.of(CookieKey.of(bytes(32)))).decrypt("session", value).rejected()).isEqualTo(SessionRejected.UNKNOWN_KEY);
    }

    @Property(tries = 500)
    void damagedOrRearrangedChunksAreRejectedNeverThrown(@ForAll("chunkJars") Map<String, String> cookies) {
        SessionStore.Loaded loaded = STORE.load(cookies).toCompletableFuture().join();
        assertThat(loaded.ok()).as("exactly one of session and rejection").isEqualTo(loaded.rejected() == null);
        if (loaded.ok()) {
            assertThat(sameBytes(CHUNKED, joined(cookies))).as("accepted only as the chunks that were written, in order").isTrue();
        }
        assertThat(STORE.presentedId(cookies)).isEqualTo(loaded.ok() ? Optional.of(loaded.session().id()) : STORE.presentedId(cookies));
    }

    @Property(tries = 800)
    void signInStateIsReadOnlyFromItsOwnUnchangedCookie(@ForAll("states") String state, @ForAll("loginJars") Map<String, String> cookies) {
        LoginStateCookies.Result r = LOGINS.read(state, cookies);
        assertThat(r.state() == null).as("exactly one of state and rejection").isEqualTo(r.rejected() != null);
        Optional<String> rd = LOGINS.redirectTarget(state, cookies);
        LOGINS.clearIfPresent(state, cookies);
        LOGINS.dropPendingIfTooMany(cookies);
        if (r.state() != null || rd.isPresent()) {
            assertThat(state).isEqualTo(STATE);
            assertThat(sameBytes(LOGIN_WITH_RD, cookies.get(NAMES.login(STATE)))).isTrue();
        }
    }

    @Property(tries = 500)
    void aSessionPayloadOfAnyShapeIsASessionOrNothing(@ForAll("sessionJson") JsonObject json) {
        Optional<Session> s = SessionJson.fromJson(json);
        s.ifPresent(session -> assertThat(SessionJson.fromJson(SessionJson.toJson(session))).isPresent());
    }

    private static final String LOGIN_WITH_RD = LOGINS.write(new LoginState(STATE, new Secret("n".repeat(43)), new Secret("v".repeat(43)), "/app",
            CLOCK.instant(), Optional.empty())).getValue();
    private static final Map<String, String> CHUNK_JAR = chunkJar();
    private static final String CHUNKED = joined(CHUNK_JAR);

    @Provide
    Arbitrary<String> clientValues() {
        return Arbitraries.oneOf(ClientValues.junk(), ClientValues.forged(), ClientValues.tampered(VALID, List.of(LOGIN, OLD_KEY_VALUE)),
                Arbitraries.of(VALID, OLD_KEY_VALUE, LOGIN));
    }

    @Provide
    Arbitrary<String> tamperedSessions() {
        return ClientValues.tampered(VALID, List.of(LOGIN, OLD_KEY_VALUE));
    }

    @Provide
    Arbitrary<JsonObject> payloads() {
        Arbitrary<Object> leaf = Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(200), Arbitraries.longs(), Arbitraries.of(true, false),
                Arbitraries.doubles().between(-1e9, 1e9).map(d -> (Object) d));
        return Combinators.combine(Arbitraries.strings().ofMaxLength(10).list().ofMaxSize(6), leaf.list().ofMaxSize(6))
                .as((keys, values) -> {
                    JsonObject o = new JsonObject();
                    for (int i = 0; i < Math.min(keys.size(), values.size()); i++) {
                        o.put(keys.get(i), values.get(i));
                    }
                    o.remove("k");
                    return o;
                });
    }

    /** The chunks of a large session, rearranged, damaged, with extra or missing ones, and beside a stray single cookie. */
    @Provide
    Arbitrary<Map<String, String>> chunkJars() {
        List<String> names = List.copyOf(CHUNK_JAR.keySet());
        List<String> values = List.copyOf(CHUNK_JAR.values());
        Arbitrary<Map<String, String>> reordered = Arbitraries.shuffle(values).map(v -> jar(names, v));
        Arbitrary<Map<String, String>> damaged = Combinators.combine(Arbitraries.integers().between(0, names.size() - 1), Arbitraries.integers().between(0, 1))
                .flatAs((i, which) -> ClientValues.tampered(values.get(i), List.of()).map(v -> {
                    List<String> copy = new ArrayList<>(values);
                    copy.set(i, v);
                    return jar(names, copy);
                }));
        Arbitrary<Map<String, String>> renamed = Arbitraries.integers().between(0, names.size() - 1).flatMap(i ->
                Arbitraries.of(NAMES.sessionChunk(i + 1), NAMES.sessionChunk(7), NAMES.sessionChunk(8), NAMES.session(), NAMES.activity(),
                        NAMES.sessionChunk(i) + " ", "_0").map(name -> {
                    Map<String, String> m = new LinkedHashMap<>(CHUNK_JAR);
                    m.put(name, m.remove(names.get(i)));
                    return m;
                }));
        Arbitrary<Map<String, String>> extra = Combinators.combine(Arbitraries.of(NAMES.sessionChunk(names.size()), NAMES.sessionChunk(9),
                NAMES.activity(), NAMES.session()), Arbitraries.oneOf(ClientValues.junk(), ClientValues.forged(), Arbitraries.of(VALID, values.get(0))))
                .as((name, value) -> {
                    Map<String, String> m = new LinkedHashMap<>(CHUNK_JAR);
                    m.put(name, value);
                    return m;
                });
        return Arbitraries.oneOf(reordered, damaged, renamed, extra, Arbitraries.just(CHUNK_JAR));
    }

    @Provide
    Arbitrary<String> states() {
        return Arbitraries.oneOf(Arbitraries.just(STATE), ClientValues.tampered(STATE, List.of()), ClientValues.junk(),
                Arbitraries.strings().withChars(ClientValues.BASE64URL).ofMinLength(15).ofMaxLength(129));
    }

    @Provide
    Arbitrary<Map<String, String>> loginJars() {
        Arbitrary<String> value = Arbitraries.oneOf(Arbitraries.just(LOGIN_WITH_RD), ClientValues.tampered(LOGIN_WITH_RD, List.of(VALID, LOGIN)),
                ClientValues.forged(), Arbitraries.of(VALID, LOGIN));
        Arbitrary<String> name = Arbitraries.of(NAMES.login(STATE), NAMES.login(STATE + "x"), NAMES.login(""), NAMES.loginPrefix(), "x");
        return Combinators.combine(name, value).as(Map::entry).list().ofMaxSize(5).map(entries -> {
            Map<String, String> m = new LinkedHashMap<>();
            entries.forEach(e -> m.putIfAbsent(e.getKey(), e.getValue()));
            return m;
        });
    }

    /** Session payloads with fields missing, of other types, or out of range (epoch seconds no Instant can hold). */
    @Provide
    Arbitrary<JsonObject> sessionJson() {
        JsonObject base = SessionJson.toJson(session(3));
        Arbitrary<Object> odd = Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(5), Arbitraries.of(Long.MAX_VALUE, Long.MIN_VALUE, -1L, 0L,
                        31_556_889_864_403_199L, 31_556_889_864_403_200L), Arbitraries.of(1e300, -1e300, Double.NaN, 0.5).map(d -> (Object) d),
                Arbitraries.of(true, false), Arbitraries.just(new JsonArray().add(1).add("g")), Arbitraries.just(new JsonObject()),
                Arbitraries.just(new JsonArray()));
        Arbitrary<String> field = Arbitraries.of(base.fieldNames().toArray(String[]::new));
        return Combinators.combine(field, odd, Arbitraries.of(true, false)).as((f, v, drop) -> {
            JsonObject j = base.copy();
            if (drop) {
                j.remove(f);
            } else {
                j.put(f, v);
            }
            return j;
        }).list().ofMinSize(1).ofMaxSize(3).map(changes -> changes.get(changes.size() - 1));
    }

    /** nimbus trims the value before it splits it, so surrounding whitespace leaves it the same value. */
    private static boolean sameBytes(String original, String candidate) {
        return candidate != null && ClientValues.sameBytes(original, candidate.trim(), 1, s -> new Base64URL(s).decode());
    }

    private static Map<String, String> chunkJar() {
        List<Cookie> cookies = STORE.save(session(250), Map.of()).toCompletableFuture().join().cookies();
        assertThat(cookies).hasSizeGreaterThan(1);
        Map<String, String> m = new LinkedHashMap<>();
        cookies.forEach(c -> m.put(c.getName(), c.getValue()));
        return m;
    }

    private static Map<String, String> jar(List<String> names, List<String> values) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            m.put(names.get(i), values.get(i));
        }
        return m;
    }

    /** What the store reads as the session's value: the single cookie, else chunks _0, _1... while they follow on. */
    private static String joined(Map<String, String> cookies) {
        if (cookies.containsKey(NAMES.session())) {
            return cookies.get(NAMES.session());
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8 && cookies.containsKey(NAMES.sessionChunk(i)); i++) {
            sb.append(cookies.get(NAMES.sessionChunk(i)));
        }
        return sb.toString();
    }

    private static Session session(int groups) {
        Instant now = CLOCK.instant();
        List<String> ids = IntStream.range(0, groups).mapToObj(i -> java.util.UUID.randomUUID().toString()).toList();
        return new Session("sid-" + groups, "oid", "tid", "alice@contoso.example", "Alice", "alice@contoso.example", ids,
                new Secret(Base64.getUrlEncoder().encodeToString(bytes(1000))), now, now.plus(Duration.ofHours(12)), now);
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
