package io.github.aksauthproxy.http;

import io.github.aksauthproxy.observe.RequestFacts;
import io.vertx.ext.web.RoutingContext;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The id a person quotes to an administrator: the ingress's {@code X-Request-ID} (ingress-nginx sets one per request
 * and logs it; the audit trail records it), else one made here and logged with the page. Fixed once per request.
 */
final class RequestId {
    private static final String KEY = "aks-auth-proxy.request-id";

    private RequestId() {
    }

    static String of(RoutingContext ctx, SecureRandom random) {
        String id = ctx.get(KEY);
        if (id == null) {
            String sent = RequestFacts.printable(ctx.request().getHeader("X-Request-ID"), 128).strip();
            if (sent.isEmpty()) {
                byte[] bytes = new byte[16];
                random.nextBytes(bytes);
                sent = HexFormat.of().formatHex(bytes);
            }
            id = sent;
            ctx.put(KEY, id);
        }
        return id;
    }
}
