package io.github.aksauthproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.aksauthproxy.fuzz.ClientValues;
import io.github.aksauthproxy.fuzz.FuzzBudget;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * {@link ClientInputFuzzing} against the cookie store, plus what every store shares: {@code /oauth2/start},
 * {@code /oauth2/callback}, {@code /oauth2/sign_out} and any method and path on either listener. The valid values are
 * a one-cookie session, a chunked one (a user in 200 groups) and a bearer token from the stand-in.
 */
@AddLifecycleHook(FuzzBudget.class)
class CookieModeFuzzTest extends ClientInputFuzzing {
    private static Target target;
    private static Path dir;
    private static Map<String, String> chunks;

    @BeforeContainer
    static void start() throws Exception {
        Set<String> before = new HashSet<>(SecretsSeen.all());
        dir = Files.createTempDirectory("aks-auth-proxy-fuzz");
        EntraStandIn idp = new EntraStandIn();
        ServiceUnderTest service = ServiceUnderTest.start(idp, dir, new MutableClock(Instant.now()), SETTINGS);
        String single = service.signedInAs(idp, EntraStandIn.ALICE).cookies.get(SESSION);
        List<String> groups = IntStream.range(0, 200).mapToObj(i -> UUID.randomUUID().toString()).toList();
        idp.claims.signInAs(new EntraShapedTokenCallback.User("99999999-2222-3333-4444-555555555555", "bob@contoso.example", "Bob", groups));
        TestBrowser many = new TestBrowser(idp.trust());
        many.follow(service.start("/"));
        idp.claims.signInAs(EntraStandIn.ALICE);
        chunks = Map.copyOf(many.cookies);
        assertThat(chunks).containsKeys(SESSION + "_0", SESSION + "_1");
        String bearer = SecretsSeen.recorded(idp.server.issueToken(EntraStandIn.TENANT + "/oauth2/v2.0", "kubelogin",
                BearerPassthroughTest.AKS_APP_ID, BearerPassthroughTest.claims(), 3600).serialize());
        List<String> secrets = new ArrayList<>(SecretsSeen.all());
        secrets.removeAll(before);
        String chunked = chunks.get(SESSION + "_0") + chunks.get(SESSION + "_1") + chunks.getOrDefault(SESSION + "_2", "");
        target = new Target(service, idp, List.of(single, chunked), bearer, LogScanner.prepare(secrets), new SessionOracle() {
            @Override
            public boolean valid(Map<String, String> cookies) {
                String value = cookies.containsKey(SESSION) ? cookies.get(SESSION) : joined(cookies);
                return sameJwe(single, value) || sameJwe(chunked, value);
            }

            @Override
            public boolean missing(Map<String, String> cookies) {
                return !cookies.containsKey(SESSION) && !cookies.containsKey(SESSION + "_0");
            }
        });
    }

    @AfterContainer
    static void stop() throws Exception {
        stop(target, dir);
    }

    @Override
    Target target() {
        return target;
    }

    /** Besides the one-cookie session: the chunks of the large one as issued, reordered, one damaged, one missing. */
    @Override
    Arbitrary<List<Tuple.Tuple2<String, String>>> sessionCookies() {
        List<String> names = chunks.keySet().stream().filter(n -> n.startsWith(SESSION + "_")).sorted().toList();
        List<Tuple.Tuple2<String, String>> asIssued = names.stream().map(n -> Tuple.of(n, chunks.get(n))).toList();
        Arbitrary<List<Tuple.Tuple2<String, String>>> damaged = Arbitraries.integers().between(0, names.size() - 1).flatMap(i ->
                ClientValues.tampered(chunks.get(names.get(i)), List.of()).map(v -> {
                    List<Tuple.Tuple2<String, String>> l = new ArrayList<>(asIssued);
                    l.set(i, Tuple.of(names.get(i), v));
                    return l;
                }));
        Arbitrary<List<Tuple.Tuple2<String, String>>> renamed = Arbitraries.shuffle(names).map(shuffled ->
                IntStream.range(0, names.size()).mapToObj(i -> Tuple.of(shuffled.get(i), chunks.get(names.get(i)))).toList());
        return Arbitraries.oneOf(super.sessionCookies(), Arbitraries.just(asIssued), damaged, renamed, Arbitraries.shuffle(asIssued),
                Arbitraries.integers().between(0, names.size() - 1).map(i -> {
                    List<Tuple.Tuple2<String, String>> l = new ArrayList<>(asIssued);
                    l.remove((int) i);
                    return l;
                }));
    }

    @Property(tries = 150)
    void signInStartsForEveryRdAndGoesToEntra(@ForAll("startQueries") String query) {
        try (LogCapture logs = new LogCapture()) {
            RawExchange.Answer a = RawExchange.send(target.publicPort(), "GET", "/oauth2/start" + query, List.of());
            checkAnswer(a, List.of(), "/oauth2/start" + query, logs);
            if (!malformed(List.of(), query)) {
                assertThat(a.status()).isIn(302, 400);
            }
            if (a.status() == 302) {
                assertThat(a.header("Location")).hasValueSatisfying(l -> assertThat(l).startsWith(target.idp().authorityHost()));
            }
        }
    }

    @Provide
    Arbitrary<String> startQueries() {
        return Arbitraries.oneOf(ClientValues.redirectTargets().map(rd -> "?rd=" + URLEncoder.encode(rd, StandardCharsets.UTF_8)),
                ClientValues.redirectTargets().map(rd -> "?rd=" + rd), ClientValues.redirectTargets().map(rd -> "?rd=/&rd=" + rd),
                Arbitraries.of("", "?", "?rd", "?rd=", "?rd=%", "?rd=%zz", "?rd=%u002F%u002Fevil.example"));
    }

    @Property(tries = 40)
    void aSignInReturnsOnlyToThisHostOrAnAllowedOne(@ForAll("redirectTargets") String rd) {
        // The stand-in stamps ID tokens with the real time; a long run must not leave the service's clock behind the skew.
        target.service().clock.set(Instant.now());
        RawExchange.Answer start = RawExchange.send(target.publicPort(), "GET", "/oauth2/start?rd=" + URLEncoder.encode(rd, StandardCharsets.UTF_8),
                List.of());
        assertThat(start.status()).isEqualTo(302);
        String login = start.headers("Set-Cookie").stream().filter(c -> c.startsWith(SESSION + "-login-")).map(c -> c.split(";")[0])
                .findFirst().orElseThrow();
        String callback = new TestBrowser(target.idp().trust()).followUntil(start.header("Location").orElseThrow(),
                target.origin() + "/oauth2/callback");
        URI back = URI.create(callback);
        try (LogCapture logs = new LogCapture()) {
            List<Map.Entry<String, String>> headers = List.of(Map.entry("Cookie", login));
            RawExchange.Answer done = RawExchange.send(target.publicPort(), "GET", back.getRawPath() + "?" + back.getRawQuery(), headers);
            checkAnswer(done, headers, back.getRawPath(), logs);
            assertThat(done.status()).isEqualTo(302);
            assertSafeTarget(done.header("Location").orElseThrow(), target.origin());
        }
    }

    @Provide
    Arbitrary<String> redirectTargets() {
        return ClientValues.redirectTargets();
    }

    @Property(tries = 150)
    void signOutReturnsOnlyToThisHostOrAnAllowedOne(@ForAll("cookieHeaders") String cookie, @ForAll("startQueries") String query,
            @ForAll boolean post) {
        List<Map.Entry<String, String>> headers = List.of(Map.entry("Cookie", cookie));
        try (LogCapture logs = new LogCapture()) {
            RawExchange.Answer a = RawExchange.send(target.publicPort(), post ? "POST" : "GET", "/oauth2/sign_out" + query, headers);
            checkAnswer(a, headers, "/oauth2/sign_out" + query, logs);
            if (!malformed(headers, query)) {
                assertThat(a.status()).isIn(200, 302, 400);
            }
            a.header("Location").ifPresent(l -> assertSafeTarget(l, target.origin()));
        }
    }

    /** How a callback's state and sign-in cookie differ from those of the sign-in the property just started. */
    enum Damage { NONE, FLIPPED, TRUNCATED, OTHER, ABSENT, TWICE }

    record Callback(Damage state, Damage cookie, int at, String code, String error, String description, String extraCookies) {
    }

    @Provide
    Arbitrary<Callback> callbacks() {
        Arbitrary<String> code = Arbitraries.oneOf(Arbitraries.of("", "abc", "0.AXo" + "x".repeat(600), "9".repeat(5000)), ClientValues.junk());
        Arbitrary<String> error = Arbitraries.oneOf(Arbitraries.of("", "access_denied", "invalid_request", "server_error", "consent_required"),
                ClientValues.junk());
        Arbitrary<String> description = Arbitraries.oneOf(Arbitraries.of("", "AADSTS50105: not assigned", "AADSTS<script>alert(1)</script>",
                "<script>alert(1)</script>", "AADSTS" + "9".repeat(40)), ClientValues.junk());
        Arbitrary<String> extra = Arbitraries.oneOf(Arbitraries.just(""), ClientValues.junk().map(j -> "; " + SESSION + "-login-" + j + "=x"));
        return Combinators.combine(Arbitraries.of(Damage.class), Arbitraries.of(Damage.class), Arbitraries.integers().between(0, 5000), code,
                Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.just("")), Tuple.of(1, error)), description, extra).as(Callback::new);
    }

    @Property(tries = 120)
    void callbackAnswersEveryStateCodeAndErrorAndSignsInOnlyItsOwnAttempt(@ForAll("callbacks") Callback c) {
        target.service().clock.set(Instant.now());
        RawExchange.Answer start = RawExchange.send(target.publicPort(), "GET", "/oauth2/start?rd=/app", List.of());
        String location = start.header("Location").orElseThrow();
        String state = URI.create(location).getRawQuery().replaceAll(".*(?:^|&)state=([^&]*).*", "$1");
        String cookie = start.headers("Set-Cookie").stream().filter(s -> s.startsWith(SESSION + "-login-")).map(s -> s.split(";")[0])
                .findFirst().orElseThrow();
        String query = param("state", damaged(state, c.state(), c.at())) + param("code", c.code()) + param("error", c.error())
                + param("error_description", c.description());
        String sentCookie = damagedCookie(cookie, c.cookie(), c.at()) + c.extraCookies();
        List<Map.Entry<String, String>> headers = List.of(Map.entry("Cookie", sentCookie));
        String path = "/oauth2/callback?" + (query.isEmpty() ? "" : query.substring(1));
        try (LogCapture logs = new LogCapture()) {
            RawExchange.Answer a = RawExchange.send(target.publicPort(), "GET", path, headers);
            checkAnswer(a, headers, path, logs);
            boolean own = (c.state() == Damage.NONE || c.state() == Damage.TWICE) && (c.cookie() == Damage.NONE || c.cookie() == Damage.TWICE)
                    && c.error().isEmpty();
            if (own && !c.code().isEmpty() && !c.code().isBlank()) {
                assertThat(a.status()).isIn(302, 400, 403, 414, 431);
            } else {
                assertThat(a.status()).as("a callback that is not this browser's own attempt").isIn(0, 400, 403, 414, 431);
            }
            boolean session = a.headers("Set-Cookie").stream().anyMatch(s -> s.startsWith(SESSION + "=") || s.startsWith(SESSION + "_0="));
            assertThat(!session || own).as("a session only from the attempt this browser started").isTrue();
            assertThat(a.body().toLowerCase(java.util.Locale.ROOT)).doesNotContain("<script");
            a.header("Location").ifPresent(l -> assertSafeTarget(l, target.origin()));
        }
    }

    private static String param(String name, String value) {
        return value == null || value.isEmpty() ? "" : "&" + name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String damaged(String value, Damage damage, int at) {
        return switch (damage) {
            case NONE -> value;
            case FLIPPED -> ClientValues.flipBit(value, at % value.length(), at % 6);
            case TRUNCATED -> value.substring(0, at % value.length());
            case OTHER -> "A".repeat(value.length());
            case ABSENT -> "";
            case TWICE -> value + "&state=" + value;
        };
    }

    private static String damagedCookie(String cookie, Damage damage, int at) {
        int eq = cookie.indexOf('=');
        String name = cookie.substring(0, eq);
        String value = cookie.substring(eq + 1);
        return switch (damage) {
            case NONE -> cookie;
            case FLIPPED -> name + "=" + ClientValues.flipBit(value, at % value.length(), at % 6);
            case TRUNCATED -> name + "=" + value.substring(0, at % value.length());
            case OTHER -> SESSION + "-login-" + "A".repeat(43) + "=" + value;
            case ABSENT -> "app=1";
            case TWICE -> name + "=" + target.sessions().get(0) + "; " + cookie;
        };
    }

    @Property(tries = 200)
    void anyMethodAndPathOnEitherListenerIsAnsweredWithoutFailing(@ForAll("methods") String method, @ForAll("paths") String path,
            @ForAll boolean internal) {
        try (LogCapture logs = new LogCapture()) {
            RawExchange.Answer a = RawExchange.send(internal ? target.internalPort() : target.publicPort(), method, path, List.of());
            checkAnswer(a, List.of(), path + " " + method, logs);
        }
    }

    @Provide
    Arbitrary<String> methods() {
        return Arbitraries.of("GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "TRACE", "PATCH", "get", "FOO");
    }

    @Provide
    Arbitrary<String> paths() {
        Arbitrary<String> start = Arbitraries.of("/oauth2/auth", "/oauth2/auth/", "/oauth2/start", "/oauth2/callback", "/oauth2/sign_out",
                "/oauth2/userinfo", "/oauth2/whoami", "/oauth2/error", "/healthz", "/readyz", "/metrics", "/", "//", "*", "http://127.0.0.1/oauth2/auth");
        Arbitrary<String> rest = Arbitraries.oneOf(Arbitraries.of("", "/..", "/%2e%2e/metrics", "/../metrics", "%2F..%2Fmetrics", "%00", "%",
                        "%zz", ";jsessionid=x", "?%", "?a=%zz&b", "#x", "/" + "a".repeat(20_000), "?" + "b=1&".repeat(2000)),
                Arbitraries.strings().withCharRange('!', '~').ofMaxLength(40),
                Arbitraries.strings().ofMaxLength(20).map(s -> URLEncoder.encode(s, StandardCharsets.UTF_8)));
        return Combinators.combine(start, rest).as(String::concat);
    }

    private static String joined(Map<String, String> cookies) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8 && cookies.containsKey(SESSION + "_" + i); i++) {
            sb.append(cookies.get(SESSION + "_" + i));
        }
        return sb.toString();
    }

    private static boolean sameJwe(String original, String value) {
        return ClientValues.sameBytes(original, value.trim(), 1, s -> new com.nimbusds.jose.util.Base64URL(s).decode());
    }
}
