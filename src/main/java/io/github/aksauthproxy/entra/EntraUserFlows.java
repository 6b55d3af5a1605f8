package io.github.aksauthproxy.entra;

import com.microsoft.aad.msal4j.AuthorizationCodeParameters;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.IAuthenticationResult;
import com.microsoft.aad.msal4j.IClientCredential;
import com.microsoft.aad.msal4j.IHttpClient;
import com.microsoft.aad.msal4j.InteractionRequiredExceptionReason;
import com.microsoft.aad.msal4j.MsalException;
import com.microsoft.aad.msal4j.MsalInteractionRequiredException;
import com.microsoft.aad.msal4j.MsalServiceException;
import com.microsoft.aad.msal4j.RefreshTokenParameters;
import io.github.aksauthproxy.async.Causes;
import io.github.aksauthproxy.config.Config;
import io.github.aksauthproxy.config.Secret;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.stream.Collectors;
import javax.net.ssl.SSLSocketFactory;

/**
 * Every request to Entra made on behalf of a signed-in user: the sign-in URL, code redemption and silent
 * renewal with the session's refresh token.
 *
 * <p>Each token request gets its own {@link ConfidentialClientApplication}, so MSAL4J's in-memory cache never
 * holds more than one user's tokens and can never answer one user (or an app-only flow) from another's cache.
 * The session keeps only the refresh token, the one thing MSAL4J needs to mint tokens silently. Futures complete
 * on MSAL4J's executor, never on the event loop.
 *
 * <p>Building an application per request is cheap: in a JFR profile of the benchmark's cold path (400 fresh
 * sessions at once) it was in about 1% of the service's CPU samples, against 25-30% for TLS handshakes with the IdP
 * (see {@link TokenRequestThreads#keepConnectionsAlive}). A shared application would save little and mix users' tokens
 * in one MSAL4J cache.
 */
public final class EntraUserFlows {
    /** Asked at sign-in; a resource scope is asked only later, per profile. */
    private static final Set<String> SIGN_IN_SCOPES = new LinkedHashSet<>(List.of("openid", "profile", "offline_access"));

    private final Config config;
    private final IClientCredential credential;
    private final ExecutorService executor;
    private final Optional<SSLSocketFactory> tls;
    private final Optional<IHttpClient> httpClient;

    /**
     * @param httpClient replaces MSAL4J's HTTP client; only tests set it (to stand in for Entra's {@code client_info})
     */
    public EntraUserFlows(Config config, IClientCredential credential, ExecutorService executor,
                          Optional<SSLSocketFactory> tls, Optional<IHttpClient> httpClient) {
        this.config = config;
        this.credential = credential;
        this.executor = executor;
        this.tls = tls;
        this.httpClient = httpClient;
    }

    /** The credential the configuration selects. */
    public static IClientCredential credential(Config config, WorkloadIdentityAssertion assertion) {
        return EntraCredentials.of(config.entraApp(), assertion);
    }

    /**
     * Entra's authorize URL for one sign-in attempt (PKCE S256, {@code response_mode=query}).
     *
     * <p>Built here rather than by MSAL4J: since 1.2x MSAL4J silently turns {@code ResponseMode.QUERY} into
     * {@code form_post}, and with {@code form_post} the browser POSTs the code cross-site and drops our
     * {@code SameSite=Lax} sign-in cookie. The URL carries no secret; MSAL4J still makes every token request.
     *
     * @param stepUp what a refused token request asks this sign-in to add: the profile's scopes, Entra's claims
     */
    public URI authorizationUrl(String state, Secret nonce, String codeChallenge, Optional<StepUp> stepUp) {
        Set<String> scopes = new LinkedHashSet<>(SIGN_IN_SCOPES);
        stepUp.ifPresent(s -> scopes.addAll(s.scopes()));
        Map<String, String> q = new LinkedHashMap<>();
        q.put("client_id", config.clientId());
        q.put("response_type", "code");
        q.put("redirect_uri", config.redirectUrl().toString());
        q.put("response_mode", "query");
        q.put("scope", String.join(" ", scopes));
        stepUp.flatMap(StepUp::claims).ifPresent(c -> q.put("claims", c));
        q.put("state", state);
        q.put("nonce", nonce.value());
        q.put("code_challenge", codeChallenge);
        q.put("code_challenge_method", "S256");
        String query = q.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return URI.create(config.authority() + "oauth2/v2.0/authorize?" + query);
    }

    /** Redeems an authorization code; the result carries the ID token and the refresh token to keep. */
    public CompletableFuture<SignInResult> redeem(String code, Secret codeVerifier) {
        try {
            ConfidentialClientApplication app = newApplication();
            AuthorizationCodeParameters p = AuthorizationCodeParameters.builder(code, config.redirectUrl())
                    .scopes(SIGN_IN_SCOPES).codeVerifier(codeVerifier.value()).build();
            return app.acquireToken(p)
                    .thenApply(result -> new SignInResult(new Secret(result.idToken()), refreshTokenIn(app)))
                    .exceptionally(e -> {
                        throw translate(e);
                    });
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(translate(e));
        }
    }

    /** Mints an access token for the scopes with the session's refresh token. */
    public CompletableFuture<AccessToken> refresh(Secret refreshToken, Set<String> scopes) {
        try {
            return newApplication().acquireToken(RefreshTokenParameters.builder(scopes, refreshToken.value()).build())
                    .thenApply(EntraUserFlows::accessToken)
                    .exceptionally(e -> {
                        throw translate(e);
                    });
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(translate(e));
        }
    }

    /** Entra returns an ID token with every token of a refresh (MSAL4J always asks {@code openid}): the user's claims now. */
    private static AccessToken accessToken(IAuthenticationResult r) {
        return new AccessToken(r.accessToken(), r.expiresOnDate().toInstant(),
                Optional.ofNullable(r.idToken()).filter(t -> !t.isBlank()).map(Secret::new));
    }

    /** MSAL4J never returns the refresh token; it sits in this one-request application's cache. */
    private static Secret refreshTokenIn(ConfidentialClientApplication app) {
        JsonObject cache = new JsonObject(app.tokenCache().serialize());
        JsonObject tokens = cache.getJsonObject("RefreshToken", new JsonObject());
        return tokens.stream().map(e -> ((JsonObject) e.getValue()).getString("secret")).filter(s -> s != null && !s.isEmpty())
                .findFirst().map(Secret::new)
                .orElseThrow(() -> new IdpFailure(IdpFailure.Kind.REJECTED, "no_refresh_token", Optional.empty(),
                        "Entra returned no refresh token; the sign-in must ask for offline_access"));
    }

    private ConfidentialClientApplication newApplication() {
        return EntraCredentials.application(config.entraApp(), credential, executor, tls, httpClient);
    }

    /**
     * Sorts an MSAL4J failure into what the caller should do; keeps Entra's text, which never holds a secret.
     *
     * <p>MSAL4J turns every {@code invalid_grant} into an "interaction required" exception, but a sign-in does not
     * cure all of them: a missing consent (AADSTS65001) needs an administrator, and a Conditional Access challenge
     * is met only by a sign-in that presents Entra's {@code claims} (kept on the failure). So the answer body
     * decides, not the exception's type.
     */
    static IdpFailure translate(Throwable e) {
        Throwable cause = Causes.of(e);
        if (cause instanceof IdpFailure f) {
            return f;
        }
        if (cause instanceof MsalServiceException m) {
            return fromEntraAnswer(m);
        }
        if (cause instanceof MsalException m && m.getCause() instanceof IOException io) {
            return unreachable(io);
        }
        if (cause instanceof IOException io) {
            return unreachable(io);
        }
        String type = cause.getClass().getSimpleName();
        return new IdpFailure(IdpFailure.Kind.UNAVAILABLE, "client_error", Optional.empty(),
                "the token request to Entra failed (" + type + (cause instanceof MsalException m ? ", " + m.errorCode() : "") + ")");
    }

    private static IdpFailure fromEntraAnswer(MsalServiceException m) {
        Optional<String> aadsts = AadstsExplanations.findCode(m.getMessage());
        String code = m.errorCode() == null ? "unknown" : m.errorCode();
        Optional<String> claims = Optional.ofNullable(m.claims()).filter(c -> !c.isBlank());
        Optional<Duration> retryAfter = retryAfter(m.headers());
        Integer status = m.statusCode();
        boolean grant = "invalid_grant".equals(code) || "interaction_required".equals(code) || m instanceof MsalInteractionRequiredException;
        if (consentMissing(m, code, aadsts)) {
            return new IdpFailure(IdpFailure.Kind.CONSENT_REQUIRED, code, aadsts, "Entra has no consent for the scope (" + code + ")",
                    claims, retryAfter);
        }
        if (aadsts.filter("AADSTS50196"::equals).isPresent() || status != null && (status == 429 || status >= 500)
                || "temporarily_unavailable".equals(code)) {
            return new IdpFailure(IdpFailure.Kind.UNAVAILABLE, code, aadsts, "Entra answered with a server error or throttled (" + code + ")",
                    claims, retryAfter);
        }
        if (grant) {
            String why = claims.isPresent() ? "Entra wants a sign-in that meets a Conditional Access policy (" + code + ", claims challenge)"
                    : "Entra rejected the grant (" + code + ")";
            return new IdpFailure(IdpFailure.Kind.GRANT_REJECTED, code, aadsts, why, claims, retryAfter);
        }
        return new IdpFailure(IdpFailure.Kind.REJECTED, code, aadsts, "Entra refused the token request (" + code + ")", claims, retryAfter);
    }

    /** AADSTS65001, whether Entra says so with the code, the error or (as MSAL4J reads it) the suberror. */
    private static boolean consentMissing(MsalServiceException m, String code, Optional<String> aadsts) {
        return aadsts.filter("AADSTS65001"::equals).isPresent() || "consent_required".equals(code)
                || m instanceof MsalInteractionRequiredException i && i.reason() == InteractionRequiredExceptionReason.CONSENT_REQUIRED;
    }

    /** RFC 9110 section 10.2.3, the delay-seconds form (the one Entra sends); an HTTP date is ignored. */
    static Optional<Duration> retryAfter(Map<String, List<String>> headers) {
        if (headers == null) {
            return Optional.empty();
        }
        return headers.entrySet().stream().filter(h -> "Retry-After".equalsIgnoreCase(h.getKey()) && h.getValue() != null)
                .flatMap(h -> h.getValue().stream()).map(String::trim).filter(v -> v.matches("\\d{1,9}"))
                .map(v -> Duration.ofSeconds(Long.parseLong(v))).findFirst();
    }

    private static IdpFailure unreachable(IOException io) {
        return new IdpFailure(IdpFailure.Kind.UNAVAILABLE, "unreachable", Optional.empty(),
                "Entra could not be reached or the federated token file could not be read (" + io.getClass().getSimpleName() + ")");
    }
}
