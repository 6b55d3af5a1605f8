package io.github.aksauthproxy.fuzz;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Values a client can send, shaped like what the service expects so that they reach deep into its parsers: a valid
 * value with one change (a character replaced or a bit flipped, truncated, segments dropped, swapped or spliced from
 * another value), encoded values of the right shape with awkward content, and plain junk (control characters,
 * unpaired surrogates, 100 KB).
 */
public final class ClientValues {
    public static final String BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    /** Characters that trip decoders and header parsers: the other base64 alphabet, separators, controls, non-ASCII. */
    private static final char[] AWKWARD = {'+', '/', '=', '.', ',', ';', ' ', '\t', '"', '\\', '%', '\u0000', '\u001f', '\u007f',
        '\u0080', '\u00ff', '\u00e9', '\u2028', '\ufeff', '\ud800', '\udc00', '\uffff', '\u20ac'};
    /** JOSE headers a forger might try: no algorithm, other algorithms, an unknown key id, compression, critical parameters, not JSON. */
    private static final List<String> HEADERS = List.of("{\"alg\":\"none\"}", "{\"alg\":\"dir\",\"enc\":\"A256GCM\"}",
            "{\"alg\":\"dir\",\"enc\":\"A256GCM\",\"kid\":\"nope\",\"zip\":\"DEF\"}", "{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"kid\":\"k\"}",
            "{\"alg\":\"A256KW\",\"enc\":\"A256GCM\"}", "{\"alg\":\"dir\",\"enc\":\"A256GCM\",\"zip\":\"XYZ\"}",
            "{\"alg\":\"dir\",\"enc\":\"A256GCM\",\"crit\":[\"exp\"],\"exp\":1}", "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"x\"}",
            "{\"alg\":\"HS256\"}", "{\"alg\":\"dir\",\"enc\":\"A256GCM\",\"kid\":" + "9".repeat(400) + "}", "{\"alg\":[]}", "[]", "null",
            "{", "\u0000", "{\"alg\":\"dir\",\"enc\":\"A256GCM\",\"kid\":{\"a\":1}}");

    private ClientValues() {
    }

    /** {@code valid} with one change a client could make, and sometimes a second one on top. */
    public static Arbitrary<String> tampered(String valid, List<String> others) {
        Arbitrary<String> once = oneChange(valid, others);
        return Arbitraries.frequencyOf(Tuple.of(4, once), Tuple.of(1, once.flatMap(v -> v.isEmpty() ? Arbitraries.just(v) : oneChange(v, others))));
    }

    private static Arbitrary<String> oneChange(String valid, List<String> others) {
        int n = valid.length();
        Arbitrary<Integer> at = Arbitraries.integers().between(0, Math.max(0, n - 1));
        Arbitrary<Character> any = Arbitraries.oneOf(Arbitraries.of(chars(BASE64URL)), Arbitraries.of(chars(new String(AWKWARD))));
        String[] parts = valid.split("\\.", -1);
        Arbitrary<Integer> part = Arbitraries.integers().between(0, parts.length - 1);
        List<Arbitrary<String>> changes = new ArrayList<>(List.of(
                Combinators.combine(at, any).as((p, c) -> valid.substring(0, p) + c + valid.substring(Math.min(n, p + 1))),
                Combinators.combine(at, Arbitraries.integers().between(0, 5)).as((p, bit) -> flipBit(valid, p, bit)),
                at.map(p -> valid.substring(0, p)),
                at.map(p -> valid.substring(0, p) + valid.substring(Math.min(n, p + 1))),
                Combinators.combine(at, any).as((p, c) -> valid.substring(0, p) + c + valid.substring(p)),
                Arbitraries.strings().withChars(BASE64URL + ".=").ofMinLength(1).ofMaxLength(40).map(valid::concat),
                Arbitraries.just(valid.toUpperCase(Locale.ROOT)),
                Arbitraries.just(valid.toLowerCase(Locale.ROOT)),
                Arbitraries.just(valid + "="),
                Arbitraries.just(valid + "=="),
                Arbitraries.just(valid.replace('-', '+').replace('_', '/')),
                Arbitraries.just(URLEncoder.encode(valid, StandardCharsets.UTF_8).replace(".", "%2E")),
                Arbitraries.integers().between(2, 30).map(valid::repeat),
                part.map(i -> join(remove(parts, i))),
                part.map(i -> join(set(parts, i, ""))),
                part.map(i -> join(insert(parts, i, parts[i]))),
                Combinators.combine(part, part).as((i, j) -> join(swap(parts, i, j))),
                Combinators.combine(part, Arbitraries.of(HEADERS)).as((i, h) -> join(set(parts, i, b64(h))))));
        for (String other : others) {
            String[] theirs = other.split("\\.", -1);
            changes.add(part.map(i -> join(set(parts, i, theirs[Math.min(i, theirs.length - 1)]))));
        }
        return Arbitraries.oneOf(changes);
    }

    /** Values of the right outer shape (dot-separated base64url segments) around content nobody encrypted or signed. */
    public static Arbitrary<String> forged() {
        Arbitrary<String> segment = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.strings().withChars(BASE64URL).ofMaxLength(120)),
                Tuple.of(2, Arbitraries.bytes().array(byte[].class).ofMaxSize(120).map(ClientValues::b64)),
                Tuple.of(1, Arbitraries.strings().withChars(BASE64URL + "+/=").ofMaxLength(40)),
                Tuple.of(2, Arbitraries.of(HEADERS).map(ClientValues::b64)));
        Arbitrary<String> jose = segment.list().ofMinSize(1).ofMaxSize(7).map(s -> String.join(".", s));
        Arbitrary<String> ticket = Combinators.combine(Arbitraries.of("t1", "t0", "T1", "t1 ", ""),
                Arbitraries.oneOf(Arbitraries.strings().withChars(BASE64URL).ofMaxLength(16), Arbitraries.of("", "..", "%00")),
                Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(100).map(ClientValues::b64))
                .as((v, kid, sealed) -> v + "." + kid + "." + sealed);
        return Arbitraries.oneOf(jose, ticket);
    }

    /** Anything at all: empty, control characters, unpaired surrogates, very long, percent-encoded. */
    public static Arbitrary<String> junk() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.strings().ofMaxLength(80)),
                Tuple.of(3, Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(80)),
                Tuple.of(2, Arbitraries.strings().withChars(AWKWARD).ofMaxLength(20)),
                Tuple.of(1, Arbitraries.integers().between(4_000, 100_000).map("A"::repeat)),
                Tuple.of(1, Arbitraries.strings().ofMaxLength(30).map(s -> URLEncoder.encode(s, StandardCharsets.UTF_8))),
                Tuple.of(1, Arbitraries.of("", " ", "\"\"", "=", ";", "null", "undefined", "%", "%%", "%zz", "\r\n", "\u0000")));
    }

    /**
     * Redirect targets built from bypass pieces (protocol-relative, backslashes, other schemes, userinfo, encoded
     * separators and controls, unicode look-alikes), sometimes percent-encoded once or twice more.
     */
    public static Arbitrary<String> redirectTargets() {
        Arbitrary<String> start = Arbitraries.of("/", "//", "/\\", "\\\\", "\\/", "///", "/%2F", "/%5C", "%2F%2F", "https://", "http://",
                "https:", "https:/", "javascript:", "JaVaScRiPt:", "data:text/html,", "vbscript:", "//evil.example", "/\\evil.example",
                "https://evil.example", "https://app.example.com", "https://app.example.com.evil.example", "https://team.example.org",
                "https://example.org", "https://evil.example/.example.org", "https://app.example.com@evil.example", "/\t/evil.example",
                "/%09/evil.example", "/%0d%0aSet-Cookie:x=1", " /", "", "\u3002evil.example", "/\uff0fevil.example", "https://127.0.0.1",
                "//127.0.0.1", "/oauth2/start?rd=//evil.example", "/..", "/./");
        Arbitrary<String> piece = Arbitraries.frequencyOf(
                Tuple.of(10, Arbitraries.chars().range(' ', '~').map(String::valueOf)),
                Tuple.of(2, Arbitraries.of(chars(new String(AWKWARD))).map(String::valueOf)),
                Tuple.of(2, Arbitraries.strings().withChars("0123456789abcdefABCDEF").ofLength(2).map(h -> "%" + h)),
                Tuple.of(4, Arbitraries.of("//", "/\\", "@", "@evil.example", "evil.example", "#", "?", "..", "%2F", "%5C", "%2f%2f", "%0a",
                        "%00", "%", ":", ":443", ":8443", "[", "]", "[::1]", ".evil.example", "javascript:alert(1)", "<script>", "\"", "'",
                        "\uff0f", "\u2215", "\u00a0", "\ud83d\ude00", "\u0000", "\u007f", "\u0085")));
        Arbitrary<String> target = Combinators.combine(start, piece.list().ofMaxSize(8).map(p -> String.join("", p))).as(String::concat);
        return Arbitraries.frequencyOf(
                Tuple.of(6, target),
                Tuple.of(2, target.map(t -> URLEncoder.encode(t, StandardCharsets.UTF_8))),
                Tuple.of(1, target.map(t -> URLEncoder.encode(URLEncoder.encode(t, StandardCharsets.UTF_8), StandardCharsets.UTF_8))),
                Tuple.of(1, Arbitraries.integers().between(2_000, 20_000).map(n -> "/" + "a".repeat(n))));
    }

    /**
     * Whether {@code candidate} denotes the same bytes as {@code original}: the same number of dot-separated parts, the
     * first {@code exactParts} identical (JOSE authenticates the encoded header itself), the others decoding alike.
     * A value that does may be accepted; any other must not.
     */
    public static boolean sameBytes(String original, String candidate, int exactParts, Function<String, byte[]> decode) {
        if (original.equals(candidate)) {
            return true;
        }
        String[] a = original.split("\\.", -1);
        String[] b = candidate.split("\\.", -1);
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (i < exactParts ? !a[i].equals(b[i]) : !Arrays.equals(decoded(a[i], decode), decoded(b[i], decode))) {
                return false;
            }
        }
        return true;
    }

    private static byte[] decoded(String s, Function<String, byte[]> decode) {
        try {
            return Objects.requireNonNullElse(decode.apply(s), new byte[0]);
        } catch (RuntimeException e) {
            return ("undecodable:" + s).getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Flips one bit of what a base64url character encodes; other characters get one bit of their own code flipped. */
    public static String flipBit(String s, int at, int bit) {
        char c = s.charAt(at);
        int i = BASE64URL.indexOf(c);
        char flipped = i >= 0 ? BASE64URL.charAt(i ^ (1 << bit)) : (char) (c ^ (1 << bit));
        return s.substring(0, at) + flipped + s.substring(at + 1);
    }

    public static String b64(String text) {
        return b64(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static Character[] chars(String s) {
        return s.chars().mapToObj(c -> (char) c).toArray(Character[]::new);
    }

    private static String join(List<String> parts) {
        return String.join(".", parts);
    }

    private static List<String> remove(String[] parts, int i) {
        List<String> l = new ArrayList<>(List.of(parts));
        l.remove(i);
        return l;
    }

    private static List<String> set(String[] parts, int i, String value) {
        List<String> l = new ArrayList<>(List.of(parts));
        l.set(i, value);
        return l;
    }

    private static List<String> insert(String[] parts, int i, String value) {
        List<String> l = new ArrayList<>(List.of(parts));
        l.add(i, value);
        return l;
    }

    private static List<String> swap(String[] parts, int i, int j) {
        List<String> l = new ArrayList<>(List.of(parts));
        l.set(i, parts[j]);
        l.set(j, parts[i]);
        return l;
    }
}
