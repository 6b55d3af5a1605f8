package io.github.aksauthproxy.redirect;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decides whether a redirect target ({@code rd} of {@code /oauth2/start}, post-logout targets) is safe to send the
 * browser to: a path on this host, or an absolute https URL whose host is in the allow-list. Anything else is
 * rejected with a reason, and the caller falls back to {@code /}, never to the given value.
 *
 * <p>The rules follow the open-redirect bypasses reported against oauth2-proxy: browsers treat {@code \} as
 * {@code /}, ignore tab/CR/LF inside URLs, and accept {@code //host} as "same scheme, other host", so all of these
 * are refused instead of being normalised.
 */
public final class RedirectValidator {

    static final int MAX_LENGTH = 2048;

    // RFC 3986 section 3.1.
    private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*:");
    private static final int HTTPS_PORT = 443;
    private static final int HTTP_PORT = 80;
    private static final String URI_PUNCTUATION = "-._~!$&'()*+,;=:@/?%";

    private final List<AllowedDomain> allowedDomains;
    private final boolean allowHttp;

    /**
     * @param allowedDomains entries like {@code app.example.com}, {@code .example.com} (the domain itself and any
     *     subdomain), {@code host:8443} (pins a port; an entry without a port allows only the scheme's default port)
     * @param allowHttp true only in local development (the service's own redirect URL is http://); then absolute
     *     http:// targets are accepted under the same host rules, with 80 as the default port
     * @throws IllegalArgumentException naming every entry that is not of one of those forms
     */
    public RedirectValidator(List<String> allowedDomains, boolean allowHttp) {
        Objects.requireNonNull(allowedDomains, "allowedDomains");
        List<AllowedDomain> parsed = new ArrayList<>();
        List<String> invalid = new ArrayList<>();
        for (String entry : allowedDomains) {
            Optional<AllowedDomain> domain = AllowedDomain.parse(entry);
            domain.ifPresentOrElse(parsed::add, () -> invalid.add("'" + entry + "'"));
        }
        if (!invalid.isEmpty()) {
            throw new IllegalArgumentException("AKS_AUTH_PROXY_ALLOWED_REDIRECT_DOMAINS has invalid entries " + invalid
                    + ": expected host, .domain (domain and subdomains) or host:port, without scheme or path");
        }
        this.allowedDomains = List.copyOf(parsed);
        this.allowHttp = allowHttp;
    }

    /**
     * @param value the parameter after the single URL-decoding the HTTP framework already did; it is not decoded
     *     again, so {@code %2F} in it stays a literal {@code %2F}
     */
    public Result validate(String value) {
        if (value == null || value.isEmpty()) {
            return Result.rejected(RedirectRejected.EMPTY);
        }
        if (value.length() > MAX_LENGTH) {
            return Result.rejected(RedirectRejected.TOO_LONG);
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (isControlOrWhitespace(c)) {
                return Result.rejected(RedirectRejected.CONTROL_OR_WHITESPACE);
            }
            if (c == '\\') {
                return Result.rejected(RedirectRejected.BACKSLASH);
            }
        }
        Optional<RedirectRejected> escapeProblem = checkPercentEscapes(value);
        if (escapeProblem.isPresent()) {
            return Result.rejected(escapeProblem.get());
        }
        if (value.charAt(0) == '/') {
            return validateRelative(value);
        }
        Matcher scheme = SCHEME.matcher(value);
        if (!scheme.lookingAt()) {
            return Result.rejected(RedirectRejected.NOT_RELATIVE_OR_ABSOLUTE);
        }
        return validateAbsolute(value, scheme.end());
    }

    /** The validated target, or {@code /} when it is rejected. */
    public String targetOrRoot(String value) {
        return validate(value).target().orElse("/");
    }

    private static Result validateRelative(String value) {
        // "//host" is another host to a browser. Compared after NFKC, which some frameworks apply to paths, so that
        // a fullwidth solidus U+FF0F (or fullwidth reverse solidus U+FF3C) cannot turn "/／evil.com" into it later.
        String normalized = Normalizer.normalize(value, Normalizer.Form.NFKC);
        if (normalized.startsWith("//") || normalized.startsWith("/\\")) {
            return Result.rejected(RedirectRejected.PROTOCOL_RELATIVE);
        }
        // A server or app that decodes once more would turn this into "//host" ("%5C" is refused anywhere).
        if (value.regionMatches(true, 0, "/%2F", 0, 4)) {
            return Result.rejected(RedirectRejected.ENCODED_SEPARATOR);
        }
        return encodeForUri(value).map(RedirectValidator::accepted)
                .orElseGet(() -> Result.rejected(RedirectRejected.MALFORMED));
    }

    private Result validateAbsolute(String value, int afterScheme) {
        String scheme = value.substring(0, afterScheme - 1).toLowerCase(Locale.ROOT);
        int defaultPort;
        if (scheme.equals("https")) {
            defaultPort = HTTPS_PORT;
        } else if (scheme.equals("http") && allowHttp) {
            defaultPort = HTTP_PORT;
        } else {
            return Result.rejected(RedirectRejected.SCHEME_NOT_ALLOWED);
        }
        // "https:host" and "https:/host" are "https://host" to a browser (WHATWG URL, special-scheme slashes).
        if (!value.startsWith("//", afterScheme)) {
            return Result.rejected(RedirectRejected.NOT_RELATIVE_OR_ABSOLUTE);
        }
        int authorityStart = afterScheme + 2;
        int authorityEnd = authorityStart;
        while (authorityEnd < value.length() && "/?#".indexOf(value.charAt(authorityEnd)) < 0) {
            authorityEnd++;
        }
        String authority = value.substring(authorityStart, authorityEnd);
        if (authority.indexOf('@') >= 0) {
            return Result.rejected(RedirectRejected.USERINFO);
        }
        // Browsers map Unicode look-alikes ("。", fullwidth letters) to ASCII in hosts, so only ASCII is compared.
        if (authority.chars().anyMatch(c -> c > 0x7F)) {
            return Result.rejected(RedirectRejected.NON_ASCII_HOST);
        }
        // Also refuses an empty authority: browsers skip extra slashes, so "https:///evil.com" goes to evil.com.
        Optional<HostPort> hostPort = HostPort.parse(authority);
        if (hostPort.isEmpty()) {
            return Result.rejected(RedirectRejected.MALFORMED);
        }
        String host = hostPort.get().host();
        int port = hostPort.get().port() == HostPort.NO_PORT ? defaultPort : hostPort.get().port();
        List<AllowedDomain> hostMatches = allowedDomains.stream().filter(d -> d.matchesHost(host)).toList();
        if (hostMatches.isEmpty()) {
            return Result.rejected(RedirectRejected.HOST_NOT_ALLOWED);
        }
        if (hostMatches.stream().noneMatch(d -> d.allowsPort(port, defaultPort))) {
            return Result.rejected(RedirectRejected.PORT_NOT_ALLOWED);
        }
        String prefix = scheme + "://" + authority.toLowerCase(Locale.ROOT);
        return encodeForUri(value.substring(authorityEnd)).map(rest -> accepted(prefix + rest))
                .orElseGet(() -> Result.rejected(RedirectRejected.MALFORMED));
    }

    private static Result accepted(String target) {
        // Percent-encoding can grow a target up to nine-fold; the Location header stays bounded.
        if (target.length() > MAX_LENGTH) {
            return Result.rejected(RedirectRejected.TOO_LONG);
        }
        // Callers build URLs from the target (sign-out resolves it against the redirect URL for Entra), so an accepted
        // target must parse; this holds the promise even for a character the encoding above did not foresee.
        try {
            new URI(target);
        } catch (URISyntaxException e) {
            return Result.rejected(RedirectRejected.MALFORMED);
        }
        return Result.accepted(target);
    }

    private static boolean isControlOrWhitespace(char c) {
        return c <= 0x1F || (c >= 0x7F && c <= 0x9F) || Character.isWhitespace(c) || Character.isSpaceChar(c);
    }

    /**
     * The value was decoded once already; escapes left in it are what the original URL carried. A server that
     * decodes again would turn %0d%0a into a header break and %5C into a backslash.
     */
    private static Optional<RedirectRejected> checkPercentEscapes(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) != '%') {
                continue;
            }
            int high = i + 1 < value.length() ? Character.digit(value.charAt(i + 1), 16) : -1;
            int low = i + 2 < value.length() ? Character.digit(value.charAt(i + 2), 16) : -1;
            // Character.digit also accepts fullwidth and other non-ASCII digits; only ASCII hex counts.
            if (high < 0 || low < 0 || value.charAt(i + 1) > 0x7F || value.charAt(i + 2) > 0x7F) {
                return Optional.of(RedirectRejected.MALFORMED);
            }
            int decoded = high * 16 + low;
            if (decoded <= 0x1F || decoded == 0x7F) {
                return Optional.of(RedirectRejected.ENCODED_CONTROL);
            }
            if (decoded == '\\') {
                return Optional.of(RedirectRejected.ENCODED_SEPARATOR);
            }
            i += 2;
        }
        return Optional.empty();
    }

    /**
     * Path, query and fragment as a legal URI (RFC 3986 section 3.3-3.5): percent-encodes non-ASCII characters as
     * UTF-8, and the ASCII ones a URI may not hold ({@code " < > [ ] ^ ` { | }}, and any '#' after the first). A
     * browser asks for the same resource either way (it encodes most of these itself); {@code java.net.URI} and
     * other strict parsers refuse the raw form. Empty for a lone surrogate.
     */
    private static Optional<String> encodeForUri(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean inFragment = false;
        for (int i = 0; i < s.length(); ) {
            int codePoint = s.codePointAt(i);
            i += Character.charCount(codePoint);
            if (Character.getType(codePoint) == Character.SURROGATE) {
                return Optional.empty();
            }
            if (codePoint == '#' && !inFragment) {
                inFragment = true;
                out.append('#');
            } else if (codePoint <= 0x7F && isUriCharacter((char) codePoint)) {
                out.append((char) codePoint);
            } else {
                for (byte b : new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8)) {
                    out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xF, 16)))
                            .append(Character.toUpperCase(Character.forDigit(b & 0xF, 16)));
                }
            }
        }
        return Optional.of(out.toString());
    }

    /** Unreserved characters, sub-delimiters, ':', '@', '/', '?' (RFC 3986 section 2), and '%' of a checked escape. */
    private static boolean isUriCharacter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || URI_PUNCTUATION.indexOf(c) >= 0;
    }

    /**
     * Either the accepted target or the reason it was rejected, never both.
     *
     * @param target the value to redirect to, present when accepted
     * @param rejected why the value was refused, present when rejected
     */
    public record Result(Optional<String> target, Optional<RedirectRejected> rejected) {
        public Result {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(rejected, "rejected");
            if (target.isPresent() == rejected.isPresent()) {
                throw new IllegalArgumentException("exactly one of target and rejected must be present");
            }
        }

        static Result accepted(String target) {
            return new Result(Optional.of(target), Optional.empty());
        }

        static Result rejected(RedirectRejected reason) {
            return new Result(Optional.empty(), Optional.of(reason));
        }
    }

    /** A parsed authority: lower-case host (one trailing dot removed, IPv6 kept in brackets) and optional port. */
    private record HostPort(String host, int port) {
        static final int NO_PORT = -1;

        static Optional<HostPort> parse(String authority) {
            String lower = authority.toLowerCase(Locale.ROOT);
            String host;
            String port;
            if (lower.startsWith("[")) {
                int close = lower.indexOf(']');
                if (close < 0 || !isIpv6Literal(lower.substring(1, close))) {
                    return Optional.empty();
                }
                host = lower.substring(0, close + 1);
                String after = lower.substring(close + 1);
                if (!after.isEmpty() && !after.startsWith(":")) {
                    return Optional.empty();
                }
                port = after.isEmpty() ? null : after.substring(1);
            } else {
                int colon = lower.indexOf(':');
                host = colon < 0 ? lower : lower.substring(0, colon);
                port = colon < 0 ? null : lower.substring(colon + 1);
                if (host.endsWith(".")) {
                    host = host.substring(0, host.length() - 1);
                }
                if (!isDnsName(host)) {
                    return Optional.empty();
                }
            }
            if (port == null) {
                return Optional.of(new HostPort(host, NO_PORT));
            }
            int number = parsePort(port);
            return number < 0 ? Optional.empty() : Optional.of(new HostPort(host, number));
        }

        /** Non-empty labels of a-z, 0-9 and '-'. */
        private static boolean isDnsName(String host) {
            if (host.isEmpty()) {
                return false;
            }
            for (String label : host.split("\\.", -1)) {
                if (label.isEmpty() || !label.chars().allMatch(HostPort::isLabelChar)) {
                    return false;
                }
            }
            return true;
        }

        private static boolean isLabelChar(int c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
        }

        /** Only the characters of an IPv6 literal (RFC 3986 section 3.2.2); it is compared verbatim, not resolved. */
        private static boolean isIpv6Literal(String address) {
            return address.indexOf(':') >= 0 && address.chars()
                    .allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == ':' || c == '.');
        }

        /** 1-65535 as one to five ASCII digits, or -1. */
        private static int parsePort(String port) {
            if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return -1;
            }
            int number = Integer.parseInt(port);
            return number >= 1 && number <= 65535 ? number : -1;
        }
    }

    /** One allow-list entry: an exact host or, with {@code includeSubdomains}, a domain and all its subdomains. */
    private record AllowedDomain(String host, boolean includeSubdomains, int port) {

        static Optional<AllowedDomain> parse(String entry) {
            if (entry == null) {
                return Optional.empty();
            }
            String trimmed = entry.strip();
            boolean includeSubdomains = trimmed.startsWith(".");
            String rest = includeSubdomains ? trimmed.substring(1) : trimmed;
            if (rest.chars().anyMatch(c -> c > 0x7F) || (includeSubdomains && rest.startsWith("["))) {
                return Optional.empty();
            }
            return HostPort.parse(rest).map(hp -> new AllowedDomain(hp.host(), includeSubdomains, hp.port()));
        }

        boolean matchesHost(String candidate) {
            return candidate.equals(host) || (includeSubdomains && candidate.endsWith("." + host));
        }

        boolean allowsPort(int candidatePort, int defaultPort) {
            return candidatePort == (port == HostPort.NO_PORT ? defaultPort : port);
        }
    }
}
