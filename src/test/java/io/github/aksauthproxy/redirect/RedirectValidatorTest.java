package io.github.aksauthproxy.redirect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RedirectValidatorTest {

    /** An allow-list configuration; its name shows in the test report. */
    private record AllowList(String name, List<String> domains, boolean allowHttp) {
        RedirectValidator validator() {
            return new RedirectValidator(domains, allowHttp);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static final List<String> DOMAINS = List.of("app.example.com", ".example.org", "pinned.example.net:8443");
    private static final AllowList HTTPS_ONLY = new AllowList("https-only", DOMAINS, false);
    private static final AllowList HTTP_TOO = new AllowList("http-allowed", DOMAINS, true);
    private static final AllowList LOCAL_DEV = new AllowList("local-dev", List.of("localhost:8080"), true);
    private static final AllowList IPV6 = new AllowList("ipv6", List.of("[::1]:8443"), false);
    private static final AllowList EMPTY_LIST = new AllowList("empty", List.of(), false);

    private static final String LONG_PATH = "/" + "a".repeat(2999);

    static Stream<Arguments> acceptedTargets() {
        return Stream.of(
                // relative paths on this host
                accept("root path", "/", HTTPS_ONLY, "/"),
                accept("plain path", "/dashboard", HTTPS_ONLY, "/dashboard"),
                accept("path with query", "/search?q=kube&page=2", HTTPS_ONLY, "/search?q=kube&page=2"),
                accept("path with fragment", "/docs#install", HTTPS_ONLY, "/docs#install"),
                accept("encoded characters kept as given", "/a%20b?q=%26x&y=%2F#frag", HTTPS_ONLY,
                        "/a%20b?q=%26x&y=%2F#frag"),
                accept("encoded slash later in the path", "/files/a%2Fb", HTTPS_ONLY, "/files/a%2Fb"),
                accept("double-encoded slash is a literal path", "/%252F/evil.com", HTTPS_ONLY, "/%252F/evil.com"),
                accept("double slash after the first segment", "/a//b", HTTPS_ONLY, "/a//b"),
                accept("unicode path is UTF-8 percent-encoded", "/docs/ü", HTTPS_ONLY, "/docs/%C3%BC"),
                accept("unicode query is UTF-8 percent-encoded", "/search?q=größe", HTTPS_ONLY,
                        "/search?q=gr%C3%B6%C3%9Fe"),
                accept("supplementary character encoded as four bytes", "/emoji/\uD83D\uDE00", HTTPS_ONLY,
                        "/emoji/%F0%9F%98%80"),
                accept("division slash after the first slash stays a path", "/\u2215evil.com", HTTPS_ONLY,
                        "/%E2%88%95evil.com"),
                accept("RFC 3986 delimiters are not re-encoded", "/p;x=1:2@3?a=b&c=d~f!g*h'i(j)$k+l,m/n?o", HTTPS_ONLY,
                        "/p;x=1:2@3?a=b&c=d~f!g*h'i(j)$k+l,m/n?o"),
                accept("pipe is percent-encoded (a URI may not hold it)", "/a|b", HTTPS_ONLY, "/a%7Cb"),
                accept("every ASCII character a URI may not hold is percent-encoded", "/a|b^c`d{e}f\"g<h>i?q=|^`{}\"<>",
                        HTTPS_ONLY, "/a%7Cb%5Ec%60d%7Be%7Df%22g%3Ch%3Ei?q=%7C%5E%60%7B%7D%22%3C%3E"),
                accept("brackets outside the host are percent-encoded", "/a[0]?x[1]=2#f[3]", HTTPS_ONLY,
                        "/a%5B0%5D?x%5B1%5D=2#f%5B3%5D"),
                accept("a second '#' is percent-encoded into the fragment", "/a#b#c", HTTPS_ONLY, "/a#b%23c"),
                // absolute https targets
                accept("allowed host", "https://app.example.com/home", HTTPS_ONLY, "https://app.example.com/home"),
                accept("allowed host without a path", "https://app.example.com", HTTPS_ONLY, "https://app.example.com"),
                accept("scheme and host lower-cased, rest unchanged", "HTTPS://App.Example.COM/Path?Q=A#F", HTTPS_ONLY,
                        "https://app.example.com/Path?Q=A#F"),
                accept("explicit default port 443", "https://app.example.com:443/x", HTTPS_ONLY,
                        "https://app.example.com:443/x"),
                accept("single trailing dot on host", "https://app.example.com./x", HTTPS_ONLY,
                        "https://app.example.com./x"),
                accept("subdomain of a .suffix entry", "https://team.example.org/x", HTTPS_ONLY,
                        "https://team.example.org/x"),
                accept("deeper subdomain of a .suffix entry", "https://a.b.example.org/x", HTTPS_ONLY,
                        "https://a.b.example.org/x"),
                accept("bare domain of a .suffix entry", "https://example.org/", HTTPS_ONLY, "https://example.org/"),
                accept("punycode host under a .suffix entry", "https://xn--bcher-kva.example.org/", HTTPS_ONLY,
                        "https://xn--bcher-kva.example.org/"),
                accept("pinned port", "https://pinned.example.net:8443/x", HTTPS_ONLY,
                        "https://pinned.example.net:8443/x"),
                accept("'@' after '?' is in the query, not the authority", "https://app.example.com?@evil.com",
                        HTTPS_ONLY, "https://app.example.com?@evil.com"),
                accept("'@' after '#' is in the fragment", "https://app.example.com#@evil.com", HTTPS_ONLY,
                        "https://app.example.com#@evil.com"),
                accept("unicode in an absolute path is percent-encoded", "https://app.example.com/caf%C3%A9?x=ü",
                        HTTPS_ONLY, "https://app.example.com/caf%C3%A9?x=%C3%BC"),
                accept("pipe in an absolute target's query is percent-encoded", "https://app.example.com/x?q=a|b", HTTPS_ONLY,
                        "https://app.example.com/x?q=a%7Cb"),
                accept("bracketed IPv6 literal with pinned port", "https://[::1]:8443/x", IPV6, "https://[::1]:8443/x"),
                // http only in local development
                accept("http when allowed", "http://app.example.com/x", HTTP_TOO, "http://app.example.com/x"),
                accept("http with explicit port 80", "http://app.example.com:80/x", HTTP_TOO,
                        "http://app.example.com:80/x"),
                accept("https still accepted when http is allowed", "https://app.example.com/x", HTTP_TOO,
                        "https://app.example.com/x"),
                accept("local development host and port", "http://localhost:8080/done", LOCAL_DEV,
                        "http://localhost:8080/done"));
    }

    static Stream<Arguments> rejectedTargets() {
        return Stream.of(
                reject("missing", null, HTTPS_ONLY, RedirectRejected.EMPTY),
                reject("empty string", "", HTTPS_ONLY, RedirectRejected.EMPTY),
                reject("3000-character path", LONG_PATH, HTTPS_ONLY, RedirectRejected.TOO_LONG),
                reject("3000-character URL to another host", "https://evil.com/" + "a".repeat(2983), HTTPS_ONLY,
                        RedirectRejected.TOO_LONG),
                reject("unicode path longer than the limit once encoded", "/" + "ü".repeat(400), HTTPS_ONLY,
                        RedirectRejected.TOO_LONG),
                // raw control characters and whitespace
                reject("raw tab", "/\t/evil.com", HTTPS_ONLY, RedirectRejected.CONTROL_OR_WHITESPACE),
                reject("raw CR LF", "/a\r\nSet-Cookie: x=y", HTTPS_ONLY, RedirectRejected.CONTROL_OR_WHITESPACE),
                reject("raw LF only", "/a\nb", HTTPS_ONLY, RedirectRejected.CONTROL_OR_WHITESPACE),
                reject("raw NUL", "/a\u0000b", HTTPS_ONLY, RedirectRejected.CONTROL_OR_WHITESPACE),
                reject("raw escape character", "/a\u001Bb", HTTPS_ONLY, RedirectRejected.CONTROL_OR_WHITESPACE),
                reject("raw DEL", "/a\u007Fb", HTTPS_ONLY, RedirectRejected.CONTROL_OR_WHITESPACE),
                reject("C1 control NEL", "/a\u0085b", HTTPS_ONLY, RedirectRejected.CONTROL_OR_WHITESPACE),
                reject("space", "/a b", HTTPS_ONLY, RedirectRejected.CONTROL_OR_WHITESPACE),
                reject("no-break space", "/a\u00A0b", HTTPS_ONLY, RedirectRejected.CONTROL_OR_WHITESPACE),
                reject("line separator U+2028", "/a\u2028b", HTTPS_ONLY, RedirectRejected.CONTROL_OR_WHITESPACE),
                reject("tab inside javascript scheme", "java\tscript:alert(1)", HTTPS_ONLY,
                        RedirectRejected.CONTROL_OR_WHITESPACE),
                reject("leading space before //", " //evil.com", HTTPS_ONLY, RedirectRejected.CONTROL_OR_WHITESPACE),
                // encoded control characters and separators
                reject("encoded tab", "/%09/evil.com", HTTPS_ONLY, RedirectRejected.ENCODED_CONTROL),
                reject("encoded CR LF, lower case", "/a%0d%0aSet-Cookie:x=y", HTTPS_ONLY,
                        RedirectRejected.ENCODED_CONTROL),
                reject("encoded NUL", "/a%00", HTTPS_ONLY, RedirectRejected.ENCODED_CONTROL),
                reject("encoded DEL", "/a%7F", HTTPS_ONLY, RedirectRejected.ENCODED_CONTROL),
                reject("encoded slash at start", "/%2F/evil.com", HTTPS_ONLY, RedirectRejected.ENCODED_SEPARATOR),
                reject("encoded slash at start, lower case", "/%2f/evil.com", HTTPS_ONLY,
                        RedirectRejected.ENCODED_SEPARATOR),
                reject("encoded backslash at start", "/%5Cevil.com", HTTPS_ONLY, RedirectRejected.ENCODED_SEPARATOR),
                reject("encoded backslash later, lower case", "/docs/%5c..%5c", HTTPS_ONLY,
                        RedirectRejected.ENCODED_SEPARATOR),
                reject("encoded backslash in an absolute path", "https://app.example.com/%5C", HTTPS_ONLY,
                        RedirectRejected.ENCODED_SEPARATOR),
                reject("percent without two hex digits", "/100%", HTTPS_ONLY, RedirectRejected.MALFORMED),
                reject("percent with non-hex digits", "/a%zz", HTTPS_ONLY, RedirectRejected.MALFORMED),
                reject("percent with fullwidth digits", "/a%\uFF12\uFF26", HTTPS_ONLY, RedirectRejected.MALFORMED),
                reject("lone surrogate", "/a\uD800", HTTPS_ONLY, RedirectRejected.MALFORMED),
                // protocol-relative and backslash tricks
                reject("protocol-relative", "//evil.com", HTTPS_ONLY, RedirectRejected.PROTOCOL_RELATIVE),
                reject("triple slash", "///evil.com", HTTPS_ONLY, RedirectRejected.PROTOCOL_RELATIVE),
                reject("slash backslash", "/\\evil.com", HTTPS_ONLY, RedirectRejected.BACKSLASH),
                reject("backslash slash", "\\/evil.com", HTTPS_ONLY, RedirectRejected.BACKSLASH),
                reject("backslash before '@' in authority", "https://app.example.com\\@evil.com", HTTPS_ONLY,
                        RedirectRejected.BACKSLASH),
                reject("fullwidth solidus after slash (NFKC '//')", "/\uFF0Fevil.com", HTTPS_ONLY,
                        RedirectRejected.PROTOCOL_RELATIVE),
                reject("fullwidth reverse solidus after slash (NFKC '/\\')", "/\uFF3Cevil.com", HTTPS_ONLY,
                        RedirectRejected.PROTOCOL_RELATIVE),
                // neither a path nor an absolute URL
                reject("bare host", "evil.com", HTTPS_ONLY, RedirectRejected.NOT_RELATIVE_OR_ABSOLUTE),
                reject("fullwidth double solidus", "\uFF0F\uFF0Fevil.com", HTTPS_ONLY,
                        RedirectRejected.NOT_RELATIVE_OR_ABSOLUTE),
                reject("division slash U+2215 twice", "\u2215\u2215evil.com", HTTPS_ONLY,
                        RedirectRejected.NOT_RELATIVE_OR_ABSOLUTE),
                reject("https without slashes", "https:evil.com", HTTPS_ONLY,
                        RedirectRejected.NOT_RELATIVE_OR_ABSOLUTE),
                reject("https with one slash", "https:/evil.com", HTTPS_ONLY,
                        RedirectRejected.NOT_RELATIVE_OR_ABSOLUTE),
                reject("encoded double slash without leading slash", "%2F%2Fevil.com", HTTPS_ONLY,
                        RedirectRejected.NOT_RELATIVE_OR_ABSOLUTE),
                // schemes
                reject("javascript", "javascript:alert(1)", HTTPS_ONLY, RedirectRejected.SCHEME_NOT_ALLOWED),
                reject("javascript in mixed case", "JaVaScRiPt:alert(1)", HTTPS_ONLY,
                        RedirectRejected.SCHEME_NOT_ALLOWED),
                reject("data URL", "data:text/html,<script>alert(1)</script>", HTTPS_ONLY,
                        RedirectRejected.SCHEME_NOT_ALLOWED),
                reject("vbscript", "vbscript:msgbox(1)", HTTPS_ONLY, RedirectRejected.SCHEME_NOT_ALLOWED),
                reject("ftp to an allowed host", "ftp://app.example.com/", HTTPS_ONLY,
                        RedirectRejected.SCHEME_NOT_ALLOWED),
                reject("file", "file:///etc/passwd", HTTPS_ONLY, RedirectRejected.SCHEME_NOT_ALLOWED),
                reject("http when not allowed", "http://app.example.com/", HTTPS_ONLY,
                        RedirectRejected.SCHEME_NOT_ALLOWED),
                // authority
                reject("empty authority (browsers skip to evil.com)", "https:///evil.com", HTTPS_ONLY,
                        RedirectRejected.MALFORMED),
                reject("allowed host as userinfo", "https://app.example.com@evil.com/", HTTPS_ONLY,
                        RedirectRejected.USERINFO),
                reject("userinfo before allowed host", "https://evil.com@app.example.com/", HTTPS_ONLY,
                        RedirectRejected.USERINFO),
                reject("allowed host and port as userinfo", "https://app.example.com:443@evil.com/", HTTPS_ONLY,
                        RedirectRejected.USERINFO),
                reject("ideographic full stop in host", "https://evil\u3002com/", HTTPS_ONLY,
                        RedirectRejected.NON_ASCII_HOST),
                reject("fullwidth solidus in host", "https://app.example.com\uFF0F.evil.com/", HTTPS_ONLY,
                        RedirectRejected.NON_ASCII_HOST),
                reject("cyrillic look-alike letter", "https://\u0430pp.example.com/", HTTPS_ONLY,
                        RedirectRejected.NON_ASCII_HOST),
                reject("unencoded IDN host", "https://bücher.example.org/", HTTPS_ONLY,
                        RedirectRejected.NON_ASCII_HOST),
                reject("percent-encoded dot in host", "https://app.example.com%2Eevil.com/", HTTPS_ONLY,
                        RedirectRejected.MALFORMED),
                reject("underscore in host", "https://app_x.example.com/", HTTPS_ONLY, RedirectRejected.MALFORMED),
                reject("empty label in host", "https://app..example.com/", HTTPS_ONLY, RedirectRejected.MALFORMED),
                reject("empty port", "https://app.example.com:/", HTTPS_ONLY, RedirectRejected.MALFORMED),
                reject("port above 65535", "https://app.example.com:65536/", HTTPS_ONLY, RedirectRejected.MALFORMED),
                reject("port zero", "https://app.example.com:0/", HTTPS_ONLY, RedirectRejected.MALFORMED),
                reject("signed port", "https://app.example.com:+443/", HTTPS_ONLY, RedirectRejected.MALFORMED),
                reject("unclosed IPv6 bracket", "https://[::1:8443/", IPV6, RedirectRejected.MALFORMED),
                reject("text after the IPv6 bracket", "https://[::1]x8443/", IPV6, RedirectRejected.MALFORMED),
                reject("bracketed literal without a colon", "https://[abcd]/", IPV6, RedirectRejected.MALFORMED),
                reject("listed IPv6 literal that is no address (not a legal URI)", "https://[1:::2]/",
                        new AllowList("odd-ipv6", List.of("[1:::2]"), false), RedirectRejected.MALFORMED),
                // host allow-list
                reject("host not listed", "https://evil.com/", HTTPS_ONLY, RedirectRejected.HOST_NOT_ALLOWED),
                reject("suffix without the dot boundary", "https://evilexample.org/", HTTPS_ONLY,
                        RedirectRejected.HOST_NOT_ALLOWED),
                reject("suffix domain as a prefix of another", "https://example.org.evil.com/", HTTPS_ONLY,
                        RedirectRejected.HOST_NOT_ALLOWED),
                reject("exact host as a prefix of another", "https://app.example.com.evil.com/", HTTPS_ONLY,
                        RedirectRejected.HOST_NOT_ALLOWED),
                reject("exact entry does not admit subdomains", "https://x.app.example.com/", HTTPS_ONLY,
                        RedirectRejected.HOST_NOT_ALLOWED),
                reject("exact entry does not admit its parent", "https://example.com/", HTTPS_ONLY,
                        RedirectRejected.HOST_NOT_ALLOWED),
                reject("empty allow-list", "https://app.example.com/", EMPTY_LIST, RedirectRejected.HOST_NOT_ALLOWED),
                reject("IPv6 literal not listed", "https://[::1]:8443/", HTTPS_ONLY,
                        RedirectRejected.HOST_NOT_ALLOWED),
                // ports
                reject("other port on a host allowed without port", "https://app.example.com:8443/", HTTPS_ONLY,
                        RedirectRejected.PORT_NOT_ALLOWED),
                reject("default port on a pinned host", "https://pinned.example.net/", HTTPS_ONLY,
                        RedirectRejected.PORT_NOT_ALLOWED),
                reject("other port on a pinned host", "https://pinned.example.net:9443/", HTTPS_ONLY,
                        RedirectRejected.PORT_NOT_ALLOWED),
                reject("443 is not the default for http", "http://app.example.com:443/", HTTP_TOO,
                        RedirectRejected.PORT_NOT_ALLOWED),
                reject("other local development port", "http://localhost:8081/", LOCAL_DEV,
                        RedirectRejected.PORT_NOT_ALLOWED));
    }

    private static Arguments accept(String behaviour, String input, AllowList allowList, String expectedTarget) {
        return Arguments.of(behaviour, input, allowList, expectedTarget);
    }

    private static Arguments reject(String behaviour, String input, AllowList allowList, RedirectRejected reason) {
        return Arguments.of(behaviour, input, allowList, reason);
    }

    @ParameterizedTest(name = "[{2}] {0}")
    @MethodSource("acceptedTargets")
    void safeTargetIsReturnedNormalised(String behaviour, String input, AllowList allowList, String expected) {
        RedirectValidator validator = allowList.validator();

        RedirectValidator.Result result = validator.validate(input);

        assertThat(result.rejected()).isEmpty();
        assertThat(result.target()).contains(expected);
        assertThatCode(() -> new URI(expected)).as("a legal URI").doesNotThrowAnyException();
        assertThat(validator.targetOrRoot(input)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "[{2}] {0} -> {3}")
    @MethodSource("rejectedTargets")
    void unsafeTargetIsRejectedWithItsReasonAndFallsBackToRoot(
            String behaviour, String input, AllowList allowList, RedirectRejected reason) {
        RedirectValidator validator = allowList.validator();

        RedirectValidator.Result result = validator.validate(input);

        assertThat(result.target()).isEmpty();
        assertThat(result.rejected()).contains(reason);
        assertThat(validator.targetOrRoot(input)).isEqualTo("/");
    }

    @Test
    void everyRejectionHasItsOwnSentenceForTheLog() {
        assertThat(Arrays.stream(RedirectRejected.values()).map(RedirectRejected::describe))
                .doesNotContainNull()
                .allSatisfy(sentence -> assertThat(sentence).isNotBlank())
                .doesNotHaveDuplicates();
        assertThat(RedirectRejected.HOST_NOT_ALLOWED.describe()).contains("AKS_AUTH_PROXY_ALLOWED_REDIRECT_DOMAINS");
    }

    @Test
    void invalidAllowListEntriesAreAllNamedAtStartUp() {
        assertThatThrownBy(() -> new RedirectValidator(
                List.of("app.example.com", "https://evil.example.com", "*.example.org", "host:99999", ".[::1]", ""),
                false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'https://evil.example.com'")
                .hasMessageContaining("'*.example.org'")
                .hasMessageContaining("'host:99999'")
                .hasMessageContaining("'.[::1]'")
                .hasMessageContaining("''")
                .hasMessageNotContaining("'app.example.com'");
    }

    @Test
    void allowListEntriesAreCaseInsensitiveAndIgnoreATrailingDot() {
        RedirectValidator validator = new RedirectValidator(List.of("App.Example.COM.", ".Example.ORG"), false);

        assertThat(validator.targetOrRoot("https://app.example.com/x")).isEqualTo("https://app.example.com/x");
        assertThat(validator.targetOrRoot("https://team.example.org/x")).isEqualTo("https://team.example.org/x");
    }

    @Test
    void resultHoldsExactlyOneOfTargetAndReason() {
        assertThatThrownBy(() -> new RedirectValidator.Result(Optional.empty(), Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RedirectValidator.Result(Optional.of("/"), Optional.of(RedirectRejected.EMPTY)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("redirectUrls")
    void defaultAllowListIsTheRedirectUrlsHostAndAdmitsIt(String redirectUrl, String expectedEntry) throws Exception {
        java.util.Map<String, String> env = io.github.aksauthproxy.config.ConfigLoaderTest.minimal();
        env.put("AKS_AUTH_PROXY_REDIRECT_URL", redirectUrl);
        io.github.aksauthproxy.config.Config config = io.github.aksauthproxy.config.ConfigLoader.load(env);
        assertThat(config.allowedRedirectDomains()).containsExactly(expectedEntry);

        RedirectValidator validator = new RedirectValidator(config.allowedRedirectDomains(), config.insecureLocalDevelopment());
        String origin = redirectUrl.substring(0, redirectUrl.indexOf("/oauth2/callback"));
        assertThat(validator.targetOrRoot(origin + "/app?x=1")).isEqualToIgnoringCase(origin + "/app?x=1");
    }

    static Stream<Arguments> redirectUrls() {
        return Stream.of(
                Arguments.of("https://auth.example.com/oauth2/callback", "auth.example.com"),
                Arguments.of("https://Auth.Example.COM:443/oauth2/callback", "auth.example.com"),
                Arguments.of("https://auth.example.com:8443/oauth2/callback", "auth.example.com:8443"),
                Arguments.of("http://localhost/oauth2/callback", "localhost"),
                Arguments.of("http://localhost:80/oauth2/callback", "localhost"),
                Arguments.of("http://localhost:8080/oauth2/callback", "localhost:8080"),
                Arguments.of("http://[::1]:4180/oauth2/callback", "[::1]:4180"));
    }

    @Test
    void defaultAllowListRefusesTheSameHostOnAnotherPort() throws Exception {
        java.util.Map<String, String> env = io.github.aksauthproxy.config.ConfigLoaderTest.minimal();
        env.put("AKS_AUTH_PROXY_REDIRECT_URL", "https://auth.example.com:8443/oauth2/callback");
        RedirectValidator validator = new RedirectValidator(io.github.aksauthproxy.config.ConfigLoader.load(env).allowedRedirectDomains(), false);
        assertThat(validator.validate("https://auth.example.com/app").rejected()).contains(RedirectRejected.PORT_NOT_ALLOWED);
    }

    // Boundaries a mutation run (pitest, docs/mutation-testing.md) showed no test pinned down.

    @Test
    void aTargetOfExactlyTheMaximumLengthIsAcceptedAndOneMoreIsTooLong() {
        RedirectValidator v = HTTPS_ONLY.validator();
        String atLimit = "/" + "a".repeat(RedirectValidator.MAX_LENGTH - 1);
        assertThat(v.validate(atLimit).target()).hasValue(atLimit);
        assertThat(v.validate(atLimit + "a").rejected()).hasValue(RedirectRejected.TOO_LONG);
    }

    @Test
    void encodingThatGrowsATargetPastTheMaximumLengthIsTooLong() {
        // 700 two-byte characters become 4,200 characters of percent-encoding.
        String grows = "/" + "\u00fc".repeat(700);
        assertThat(grows.length()).isLessThan(RedirectValidator.MAX_LENGTH);
        assertThat(HTTPS_ONLY.validator().validate(grows).rejected()).hasValue(RedirectRejected.TOO_LONG);
    }

    @Test
    void portsOutsideOneTo65535AreRefusedAndTheEdgesAreRead() {
        RedirectValidator v = new RedirectValidator(List.of("high.example.org:65535", "low.example.org:1"), false);
        assertThat(v.validate("https://high.example.org:65535/").target()).hasValue("https://high.example.org:65535/");
        assertThat(v.validate("https://low.example.org:1/").target()).hasValue("https://low.example.org:1/");
        assertThat(v.validate("https://high.example.org:65536/").rejected()).isPresent();
        assertThat(v.validate("https://low.example.org:0/").rejected()).isPresent();
        assertThat(v.validate("https://high.example.org:123456/").rejected()).isPresent();
        assertThatThrownBy(() -> new RedirectValidator(List.of("high.example.org:65536"), false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RedirectValidator(List.of("low.example.org:0"), false)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void percentEncodedControlCharactersAreRefusedAndEncodedSpaceIsKept() {
        RedirectValidator v = HTTPS_ONLY.validator();
        assertThat(v.validate("/a%1Fb").rejected()).hasValue(RedirectRejected.ENCODED_CONTROL);
        assertThat(v.validate("/a%7Fb").rejected()).hasValue(RedirectRejected.ENCODED_CONTROL);
        assertThat(v.validate("/a%00b").rejected()).hasValue(RedirectRejected.ENCODED_CONTROL);
        assertThat(v.validate("/a%20b").target()).hasValue("/a%20b");
    }

    @Test
    void rawDeleteAndC1ControlCharactersAreRefused() {
        RedirectValidator v = HTTPS_ONLY.validator();
        assertThat(v.validate("/a\u007fb").rejected()).isPresent();
        assertThat(v.validate("/a\u0085b").rejected()).isPresent();
        assertThat(v.validate("/a\u009fb").rejected()).isPresent();
        assertThat(v.validate("/a~b").target()).hasValue("/a~b");
    }

    @Test
    void aHostWithNonAsciiCharactersIsRefusedEvenUnderAnAllowedSuffix() {
        RedirectValidator v = new RedirectValidator(List.of(".example.org"), false);
        assertThat(v.validate("https://\u0430.example.org/").rejected()).isPresent();
        assertThat(v.validate("https://a.example.org/").target()).hasValue("https://a.example.org/");
    }
}
