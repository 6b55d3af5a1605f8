package io.github.aksauthproxy.entra;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the AADSTS codes people meet most often mean, and what to change. */
public final class AadstsExplanations {
    private static final Pattern CODE = Pattern.compile("AADSTS(\\d{4,8})");
    private static final Map<String, String> EXPLANATIONS = Map.ofEntries(
            Map.entry("AADSTS50011", "the redirect URI is not registered on the app; add AKS_AUTH_PROXY_REDIRECT_URL as a Web redirect URI"),
            Map.entry("AADSTS65001", "consent is missing; grant admin consent for the app's delegated permissions (Azure Kubernetes Service AAD Server)"),
            Map.entry("AADSTS50076", "multi-factor authentication is required; the user must sign in again interactively"),
            Map.entry("AADSTS50079", "the user must register for multi-factor authentication and sign in again"),
            Map.entry("AADSTS53003", "a Conditional Access policy blocks the access; see the sign-in in Entra's sign-in logs"),
            Map.entry("AADSTS50196", "Entra throttled a loop of identical requests; the service backs off, so look for a client retrying in a loop"),
            Map.entry("AADSTS70021", "no federated identity credential matches the assertion; check its issuer (the cluster's OIDC issuer URL), "
                    + "subject (system:serviceaccount:<namespace>:<serviceaccount>) and audience (api://AzureADTokenExchange)"),
            Map.entry("AADSTS700016", "the application id is not found in the tenant; check AZURE_CLIENT_ID and AZURE_TENANT_ID"),
            Map.entry("AADSTS700024", "the client assertion is outside its valid time range; the federated token file is stale "
                    + "(is the kubelet still rotating it?)"),
            Map.entry("AADSTS7000215", "the client secret is wrong; check AKS_AUTH_PROXY_CLIENT_SECRET"),
            Map.entry("AADSTS700082", "the refresh token expired from inactivity; the user must sign in again"),
            Map.entry("AADSTS50173", "the refresh token was revoked (for example by a password change); the user must sign in again"),
            Map.entry("AADSTS70000", "the grant is invalid or expired; the user must sign in again"),
            Map.entry("AADSTS70008", "the authorization code or refresh token expired; the user must sign in again"),
            Map.entry("AADSTS54005", "the authorization code was already redeemed"));

    /**
     * The codes a person meets on the way back from Entra's sign-in page, said in words they can act on (they
     * cannot change the app registration; they can ask the right person, or sign in differently).
     */
    private static final Map<String, String> FOR_USERS = Map.ofEntries(
            Map.entry("AADSTS50105", "Your account is not assigned to this application. An administrator of your organisation must "
                    + "assign you, or a group you belong to, to it in Microsoft Entra ID; then sign in again."),
            Map.entry("AADSTS53003", "A Conditional Access policy of your organisation blocked this sign-in, for example because of "
                    + "your device, your location or the sign-in risk. Try again from a device or network your organisation allows, "
                    + "or ask an administrator which policy applies."),
            Map.entry("AADSTS65001", "This application has not been granted the permissions it needs in your organisation, and you "
                    + "cannot grant them yourself. Ask an administrator to grant admin consent to it."),
            Map.entry("AADSTS65004", "You declined to give this application the permissions it asked for. Sign in again and accept "
                    + "them, or ask an administrator to grant them for everyone."),
            Map.entry("AADSTS50076", "Your organisation requires additional verification (multi-factor authentication) for this. "
                    + "Sign in again and complete the verification when you are asked."),
            Map.entry("AADSTS50079", "Your organisation requires you to register for multi-factor authentication. Sign in again and "
                    + "follow the steps to set up a verification method."),
            Map.entry("AADSTS50020", "Your account belongs to another organisation and is not a guest of this one. Sign in with an "
                    + "account of this organisation, or ask an administrator to invite you."),
            Map.entry("AADSTS50011", "This application's sign-in address is not registered in Microsoft Entra ID, so nobody can sign "
                    + "in until an administrator fixes it. Signing in again will not help; tell an administrator."));

    private AadstsExplanations() {
    }

    /** The first AADSTS code in a text from Entra, if any. */
    public static Optional<String> findCode(String text) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher m = CODE.matcher(text);
        return m.find() ? Optional.of(m.group()) : Optional.empty();
    }

    public static Optional<String> explain(String code) {
        return Optional.ofNullable(EXPLANATIONS.get(code));
    }

    /** What the code means for the person who met it, in words they can act on; empty for codes users do not meet. */
    public static Optional<String> forUser(String code) {
        return Optional.ofNullable(FOR_USERS.get(code));
    }

    /** Whether this service explains the code to an operator or a user: a bounded set, fit for a metric label. */
    public static boolean isKnown(String code) {
        return EXPLANATIONS.containsKey(code) || FOR_USERS.containsKey(code);
    }
}
