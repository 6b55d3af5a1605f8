package io.github.aksauthproxy.http;

import io.github.aksauthproxy.entra.AadstsExplanations;
import io.github.aksauthproxy.redirect.RedirectValidator;
import io.github.aksauthproxy.session.SessionStore;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /oauth2/error?status=403|503&rd=<where the person was going>[&code=<AADSTS code>]} (public listener): the page the ingress
 * shows instead of its own bare error when the auth subrequest refused a request (403: the profile's rules) or
 * failed (ingress-nginx turns a 5xx or 429 of /oauth2/auth into 500; the shipped configs hand that to this page as
 * 503). NGINX reaches it with {@code error_page}, as an internal redirect, so the request id is the one the auth
 * subrequest carried and the audit trail recorded. The page says who is signed in (from the session cookie, when it
 * is valid) and never why the rule refused: that is in the log, for the administrator the person quotes.
 */
final class ErrorPageHandler implements Handler<RoutingContext> {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorPageHandler.class);
    /** Seconds a person (or a browser honouring Retry-After) should wait after a failed access check. */
    static final int RETRY_AFTER = 5;

    private final SessionStore sessions;
    private final RedirectValidator redirects;
    private final SecureRandom random;

    ErrorPageHandler(SessionStore sessions, RedirectValidator redirects, SecureRandom random) {
        this.sessions = sessions;
        this.redirects = redirects;
        this.random = random;
    }

    @Override
    public void handle(RoutingContext ctx) {
        String status = ctx.request().getParam("status");
        if (!"403".equals(status) && !"503".equals(status)) {
            Responses.page(ctx, 404, "Not found", "There is nothing here.", List.of());
            return;
        }
        Optional<String> rd = Optional.ofNullable(ctx.request().getParam("rd")).flatMap(r -> redirects.validate(r).target());
        String requestId = RequestId.of(ctx, random);
        String signIn = ErrorPage.signInAgain(redirects, rd);
        // Whose page it is, when that can be told; a session store that cannot answer only leaves the name out.
        Stages.on(ctx, sessions.load(RequestCookies.of(ctx.request()))).onComplete(loaded -> render(ctx, status, rd, requestId, signIn,
                loaded.succeeded() && loaded.result().ok() ? Optional.of(loaded.result().session().user()) : Optional.empty()));
    }

    private void render(RoutingContext ctx, String status, Optional<String> rd, String requestId, String signIn, Optional<String> user) {
        // Entra's refusal of the page's token, as the auth subrequest named it (X-Auth-Refusal-Code): only a code this
        // service explains is shown, whoever wrote the URL.
        Optional<String> entraCode = Optional.ofNullable(ctx.request().getParam("code")).filter(AadstsExplanations::isKnown);
        ErrorPage page = "403".equals(status) && entraCode.isPresent()
                ? ErrorPage.of(403, "Access denied", "Microsoft Entra ID refuses this application a token for your account, so this "
                        + "page cannot be opened.", requestId, signIn).withSignedInAs(user).withCode(entraCode)
                : "403".equals(status)
                ? ErrorPage.of(403, "Access denied", "Your account may not open this page: its access rules (groups, users, or the "
                        + "cluster's RBAC) do not include you.", requestId, signIn).withSignedInAs(user)
                : ErrorPage.of(503, "This page cannot be opened right now", "Your access could not be checked just now: Microsoft Entra "
                        + "ID or the cluster did not answer in time, or too many requests came at once. This usually passes within a "
                        + "minute.", requestId, signIn).withTryAgain(Optional.of(rd.orElse("/")), RETRY_AFTER);
        LOG.atInfo().addKeyValue("event", "error.page").addKeyValue("status", page.status()).addKeyValue("request_id", requestId)
                .addKeyValue("user", user.orElse(null)).log();
        Responses.error(ctx, page, List.of());
    }
}
