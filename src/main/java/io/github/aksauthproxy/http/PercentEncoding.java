package io.github.aksauthproxy.http;

/**
 * Whether a request URI's percent-escapes are well formed. Vert.x throws {@code IllegalArgumentException} when it
 * decodes a path or query parameter with a {@code %} not followed by two hex digits, which would make a client's typo
 * a 500; such a request is answered 400 before any handler reads it.
 */
final class PercentEncoding {
    private PercentEncoding() {
    }

    /** True when some {@code %} in {@code uri} is not followed by two hex digits (RFC 3986 section 2.1). */
    static boolean isBroken(String uri) {
        for (int i = uri.indexOf('%'); i >= 0; i = uri.indexOf('%', i + 1)) {
            if (i + 2 >= uri.length() || !isHex(uri.charAt(i + 1)) || !isHex(uri.charAt(i + 2))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isHex(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }
}
