package io.github.aksauthproxy.it;

import com.microsoft.aad.msal4j.HttpRequest;
import com.microsoft.aad.msal4j.HttpResponse;
import com.microsoft.aad.msal4j.IHttpClient;
import com.microsoft.aad.msal4j.IHttpResponse;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;

/**
 * Test-only MSAL4J HTTP client. Entra adds {@code client_info} (base64url of {@code {"uid":oid,"utid":tid}}) to
 * every token response and MSAL4J builds its account from it; the stand-in IdP does not, so this client adds it
 * from the ID token. It also trusts the stand-in's own certificate.
 */
public final class EntraLikeHttpClient implements IHttpClient {
    private final HttpClient http;

    EntraLikeHttpClient(SSLContext trust) {
        this.http = HttpClient.newBuilder().sslContext(trust).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @Override
    public IHttpResponse send(HttpRequest request) throws Exception {
        java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(URI.create(request.url().toString()))
                .timeout(Duration.ofSeconds(15));
        request.headers().forEach((k, v) -> {
            if (!k.equalsIgnoreCase("content-length") && !k.equalsIgnoreCase("host") && !k.equalsIgnoreCase("connection")) {
                b.header(k, v);
            }
        });
        SecretsSeen.addFormFields(request.body());
        switch (request.httpMethod()) {
            case POST -> b.POST(BodyPublishers.ofString(request.body() == null ? "" : request.body()));
            default -> b.GET();
        }
        java.net.http.HttpResponse<String> r = http.send(b.build(), BodyHandlers.ofString());
        String body = r.body();
        SecretsSeen.addJsonFields(body);
        if (r.statusCode() == 200) {
            body = withClientInfo(body);
        }
        HttpResponse out = new HttpResponse().statusCode(r.statusCode()).body(body);
        Map<String, List<String>> headers = new LinkedHashMap<>(r.headers().map());
        headers.remove("content-length");
        out.addHeaders(headers);
        return out;
    }

    /**
     * A successful token response body as Entra would send it: with {@code client_info} taken from the ID token's
     * {@code oid} and {@code tid}. Bodies without an ID token, or that already have it, come back unchanged.
     * Also used by the benchmark rig's HTTPS front ({@code bench/EntraFront}), which the real jar talks to.
     */
    public static String withClientInfo(String body) throws java.text.ParseException {
        if (body == null || !body.contains("\"id_token\"") || body.contains("client_info")) {
            return body;
        }
        JsonObject json = new JsonObject(body);
        JWTClaimsSet idClaims = JWTParser.parse(json.getString("id_token")).getJWTClaimsSet();
        String clientInfo = new JsonObject().put("uid", idClaims.getStringClaim("oid")).put("utid", idClaims.getStringClaim("tid")).encode();
        json.put("client_info", Base64.getUrlEncoder().withoutPadding().encodeToString(clientInfo.getBytes(StandardCharsets.UTF_8)));
        return json.encode();
    }
}
