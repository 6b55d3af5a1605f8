package io.github.aksauthproxy.observe;

import java.util.Set;

/**
 * The {@code error} label of {@code aks_auth_proxy_idp_errors_total}: an OAuth error code from a fixed list, else
 * {@value #OTHER}. The callback URL is written by whoever sends the browser there, so every made-up word would
 * otherwise become a series of its own; the token endpoint's codes are bounded the same way, so a label never
 * depends on what a remote party chose to send.
 */
final class IdpErrorCode {
    static final String OTHER = "other";

    /** RFC 6749 section 4.1.2.1, and OpenID Connect Core 1.0 section 3.1.2.6: what an authorization response may carry. */
    private static final Set<String> AUTHORIZE = Set.of(
            "invalid_request", "unauthorized_client", "access_denied", "unsupported_response_type", "invalid_scope",
            "server_error", "temporarily_unavailable",
            "interaction_required", "login_required", "account_selection_required", "consent_required",
            "invalid_request_uri", "invalid_request_object", "request_not_supported", "request_uri_not_supported",
            "registration_not_supported");

    /**
     * RFC 6749 section 5.2, the codes Entra's token endpoint adds (a claims challenge or missing consent comes as
     * {@code interaction_required}; an outage as {@code temporarily_unavailable}), and the ones this service gives
     * a request that never got an OAuth answer ({@code entra/EntraUserFlows}).
     */
    private static final Set<String> TOKEN = Set.of(
            "invalid_request", "invalid_client", "invalid_grant", "unauthorized_client", "unsupported_grant_type", "invalid_scope",
            "interaction_required", "consent_required", "login_required", "server_error", "temporarily_unavailable",
            "unreachable", "client_error", "no_refresh_token");

    private IdpErrorCode() {
    }

    /** The label for an error on the sign-in callback URL (anyone can write one). */
    static String ofAuthorizeResponse(String error) {
        return error != null && AUTHORIZE.contains(error) ? error : OTHER;
    }

    /** The label for an error of a token request (code redemption or refresh). */
    static String ofTokenResponse(String error) {
        return error != null && TOKEN.contains(error) ? error : OTHER;
    }
}
