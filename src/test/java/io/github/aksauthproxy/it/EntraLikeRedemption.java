package io.github.aksauthproxy.it;

import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.ErrorObject;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import no.nav.security.mock.oauth2.http.OAuth2HttpRequest;
import no.nav.security.mock.oauth2.http.OAuth2HttpResponse;
import no.nav.security.mock.oauth2.http.OAuth2HttpResponseKt;
import okhttp3.HttpUrl;

/**
 * Code redemption as Entra does it, where mock-oauth2-server is lax: a code is redeemed only with the
 * {@code redirect_uri} its authorization request named (RFC 6749 section 4.1.3; the mock ignores it). And, for
 * tests of ID token validation, the next redemption can answer with a forged ID token in place of the real one.
 */
final class EntraLikeRedemption implements UnaryOperator<StandInHttpServer.Handler> {
    private final Map<String, String> redirectUriByCode = new ConcurrentHashMap<>();
    private final AtomicReference<Function<SignedJWT, String>> nextIdToken = new AtomicReference<>();

    /** The next code redemption answers with what {@code forge} makes of the ID token the stand-in issued. */
    void forgeNextIdToken(Function<SignedJWT, String> forge) {
        nextIdToken.set(forge);
    }

    @Override
    public StandInHttpServer.Handler apply(StandInHttpServer.Handler handler) {
        return request -> {
            String path = request.getUrl().encodedPath();
            if (path.endsWith("/authorize")) {
                return remembered(request, handler.invoke(request));
            }
            if (path.endsWith("/token") && "authorization_code".equals(request.getFormParameters().get("grant_type"))) {
                return redeemed(request, handler);
            }
            return handler.invoke(request);
        };
    }

    /** Binds the code of a successful authorization to the redirect_uri it was sent to. */
    private OAuth2HttpResponse remembered(OAuth2HttpRequest request, OAuth2HttpResponse response) {
        String location = response.getHeaders().get("Location");
        HttpUrl back = location == null ? null : HttpUrl.parse(location);
        String redirectUri = request.getUrl().queryParameter("redirect_uri");
        if (back != null && back.queryParameter("code") != null && redirectUri != null) {
            redirectUriByCode.put(back.queryParameter("code"), redirectUri);
        }
        return response;
    }

    private OAuth2HttpResponse redeemed(OAuth2HttpRequest request, StandInHttpServer.Handler handler) {
        String code = request.getFormParameters().get("code");
        String expected = code == null ? null : redirectUriByCode.remove(code);
        if (expected == null || !expected.equals(request.getFormParameters().get("redirect_uri"))) {
            return OAuth2HttpResponseKt.oauth2Error(new ErrorObject("invalid_grant",
                    "redirect_uri does not match the one of the authorization request that issued this code", 400));
        }
        OAuth2HttpResponse response = handler.invoke(request);
        Function<SignedJWT, String> forge = nextIdToken.getAndSet(null);
        if (forge == null || response.getStatus() != 200) {
            return response;
        }
        try {
            JsonObject body = new JsonObject(response.getBody());
            body.put("id_token", forge.apply(SignedJWT.parse(body.getString("id_token"))));
            return new OAuth2HttpResponse(response.getHeaders(), 200, body.encode(), null);
        } catch (java.text.ParseException e) {
            throw new IllegalStateException("the stand-in issued an ID token that is not a JWT", e);
        }
    }
}
