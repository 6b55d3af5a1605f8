package io.github.aksauthproxy.redirect;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * Generated redirect targets: whatever the validator accepts is a legal URI (so the service can resolve it, as
 * sign-out does for Entra's {@code post_logout_redirect_uri}), stays on this host or an allowed one, and is already
 * in its final form (validating it again returns it unchanged).
 */
class RedirectValidatorPropertyTest {
    private static final URI SERVICE = URI.create("https://auth.example.com/oauth2/callback");
    private static final RedirectValidator VALIDATOR = new RedirectValidator(
            List.of("app.example.com", ".example.org", "pinned.example.net:8443", "[::1]:8443"), true);

    @Property(tries = 3000)
    void everyAcceptedTargetIsALegalUriOnThisOrAnAllowedHost(@ForAll("targets") String input) throws URISyntaxException {
        checkAccepted(input);
        // The generator must keep producing targets that pass, or the property says nothing.
        Statistics.label("outcome").coverage(c -> c.check("accepted").percentage(p -> p > 10));
    }

    @Property(tries = 1000)
    void everyAcceptedPathOfArbitraryCharactersIsALegalUriOnThisHost(@ForAll("anyCharacters") String input) throws URISyntaxException {
        checkAccepted(input);
        Statistics.label("outcome").coverage(c -> c.check("accepted").percentage(p -> p > 10));
    }

    private static void checkAccepted(String input) throws URISyntaxException {
        RedirectValidator.Result result = VALIDATOR.validate(input);
        Statistics.label("outcome").collect(result.target().isPresent() ? "accepted" : "rejected");
        if (result.target().isEmpty()) {
            return;
        }
        String target = result.target().get();
        URI uri = new URI(target);
        URI resolved = SERVICE.resolve(uri);
        if (uri.isAbsolute()) {
            assertThat(uri.getScheme()).isIn("https", "http");
            assertThat(uri.getHost()).as("host of %s", target).isNotNull().satisfies(host -> assertThat(isAllowed(host)).isTrue());
        } else {
            assertThat(resolved.getRawAuthority()).as("%s stays on this host", target).isEqualTo(SERVICE.getRawAuthority());
        }
        assertThat(VALIDATOR.validate(target).target()).as("already final").contains(target);
    }

    private static boolean isAllowed(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        h = h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
        return h.equals("app.example.com") || h.equals("example.org") || h.endsWith(".example.org")
                || h.equals("pinned.example.net") || h.equals("[::1]");
    }

    /** Likely beginnings of a target followed by a mix of single characters, escapes and known bypass pieces. */
    @Provide
    Arbitrary<String> targets() {
        Arbitrary<String> start = Arbitraries.of("/", "//", "/\\", "", "https://app.example.com", "https://app.example.com/",
                "HTTPS://App.Example.COM", "https://team.example.org:443", "https://pinned.example.net:8443/", "http://app.example.com",
                "https://[::1]:8443", "https://evil.com", "https:", "javascript:");
        Arbitrary<String> piece = Arbitraries.frequencyOf(
                Tuple.of(12, Arbitraries.chars().range(' ', '~').map(String::valueOf)),
                Tuple.of(2, Arbitraries.chars().with('é', 'ü', '\u00A0', '\u2028', '\uFF0F', '\uFF3C', '\u2215', '\u3002', '\t', '\n',
                        '\u0000', '\u007F', '\uD800', '\uDC00').map(String::valueOf)),
                Tuple.of(2, Arbitraries.strings().withChars("0123456789abcdefABCDEF").ofLength(2).map(hex -> "%" + hex)),
                Tuple.of(3, Arbitraries.of("\uD83D\uDE00", "//", "@", "@evil.com", "#", "?", "..", "%2F", "%5C", "%0d%0a", "%", ":",
                        "[", "]", ".evil.com", ":443", "|", "{}", "^", "`", "\"")));
        Arbitrary<String> rest = piece.list().ofMaxSize(10).map(pieces -> String.join("", pieces));
        return Combinators.combine(start, rest).as(String::concat);
    }

    /** Any characters after a slash, including unpaired surrogates and the whole Unicode range. */
    @Provide
    Arbitrary<String> anyCharacters() {
        return Arbitraries.strings().all().ofMaxLength(30).map(s -> "/" + s);
    }
}
