package io.github.aksauthproxy.redirect;

/** Why a redirect target ({@code rd}, post-logout target) was refused; the caller logs {@link #describe()}. */
public enum RedirectRejected {
    EMPTY("the redirect target is missing or empty"),
    TOO_LONG("the redirect target is longer than " + RedirectValidator.MAX_LENGTH + " characters"),
    CONTROL_OR_WHITESPACE(
            "the redirect target contains a control character or whitespace (tab, CR, LF, NUL, NBSP, ...)"),
    BACKSLASH("the redirect target contains a backslash, which browsers read as '/'"),
    ENCODED_CONTROL(
            "the redirect target contains a percent-encoded control character (%00-%1F or %7F)"),
    ENCODED_SEPARATOR(
            "the redirect target contains a percent-encoded backslash (%5C) or starts with an encoded '/' (/%2F)"),
    MALFORMED("the redirect target is malformed (a '%' without two hex digits, an unpaired surrogate,"
            + " or an empty or invalid host or port)"),
    NOT_RELATIVE_OR_ABSOLUTE(
            "the redirect target is neither a path starting with a single '/' nor an absolute https://host URL"),
    PROTOCOL_RELATIVE("the redirect target starts with '//' (a protocol-relative URL pointing at another host)"),
    SCHEME_NOT_ALLOWED(
            "the redirect target's scheme is not https (http only when the service's own redirect URL is http)"),
    USERINFO("the redirect target's authority contains '@' (user information)"),
    NON_ASCII_HOST("the redirect target's host contains non-ASCII characters"
            + " (internationalised names must be given as punycode, xn--)"),
    HOST_NOT_ALLOWED("the host is not in AKS_AUTH_PROXY_ALLOWED_REDIRECT_DOMAINS"),
    PORT_NOT_ALLOWED("the host is allowed but not on this port (an AKS_AUTH_PROXY_ALLOWED_REDIRECT_DOMAINS entry"
            + " without a port allows only the default port)");

    private final String description;

    RedirectRejected(String description) {
        this.description = description;
    }

    /** A sentence for the log line, naming what to fix. */
    public String describe() {
        return description;
    }
}
