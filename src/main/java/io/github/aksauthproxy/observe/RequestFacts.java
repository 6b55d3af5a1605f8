package io.github.aksauthproxy.observe;

/**
 * What the audit trail records about the request behind an event. Each value is already safe to log: cut to a
 * bounded length and stripped of control characters.
 *
 * @param clientIp {@code X-Real-IP} when the request came from a trusted proxy, else the peer address
 * @param userAgent the {@code User-Agent} header, or empty
 * @param requestId the ingress's {@code X-Request-ID}, or empty
 */
public record RequestFacts(String clientIp, String userAgent, String requestId) {
    public static final RequestFacts NONE = new RequestFacts("", "", "");

    public static RequestFacts of(String clientIp, String userAgent, String requestId) {
        return new RequestFacts(printable(clientIp, 64), printable(userAgent, 256), printable(requestId, 128));
    }

    /** A value from a request, safe for one log field: printable ASCII only, at most {@code max} characters. */
    public static String printable(String s, int max) {
        if (s == null) {
            return "";
        }
        String cut = s.length() > max ? s.substring(0, max) : s;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
