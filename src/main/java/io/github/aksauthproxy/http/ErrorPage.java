package io.github.aksauthproxy.http;

import static io.github.aksauthproxy.http.Responses.escape;

import io.github.aksauthproxy.entra.AadstsExplanations;
import io.github.aksauthproxy.redirect.RedirectValidator;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * A page a person meets when something went wrong, with what they need next: what happened in plain words, what
 * an Entra error code means for them, a way back in (sign in again, to where they were going when that is known
 * and a valid target), and the request id to quote to an administrator. Every value is escaped; no secret, no
 * exception, no internal detail is ever shown beyond the operator hint for a known AADSTS code.
 *
 * @param code an AADSTS code Entra reported (only its {@code AADSTS<digits>} form ever reaches here)
 * @param signedInAs the user of the browser's session, when the page is about their access
 * @param tryAgain where "Try again" leads, for a failure that passes
 */
record ErrorPage(int status, String title, String message, String requestId, String signIn, Optional<String> code,
                 Optional<String> signedInAs, Optional<String> tryAgain, int retryAfterSeconds) {

    static ErrorPage of(int status, String title, String message, String requestId, String signIn) {
        return new ErrorPage(status, title, message, requestId, signIn, Optional.empty(), Optional.empty(), Optional.empty(), 0);
    }

    /**
     * The "Sign in again" link: {@code /oauth2/start}, with {@code rd} when it is given and a valid target (checked
     * again here, wherever it came from), so the person lands where they were going.
     */
    static String signInAgain(RedirectValidator redirects, Optional<String> rd) {
        return rd.flatMap(r -> redirects.validate(r).target())
                .map(t -> "/oauth2/start?rd=" + URLEncoder.encode(t, StandardCharsets.UTF_8)).orElse("/oauth2/start");
    }

    ErrorPage withCode(Optional<String> aadsts) {
        return new ErrorPage(status, title, message, requestId, signIn, aadsts, signedInAs, tryAgain, retryAfterSeconds);
    }

    ErrorPage withSignedInAs(Optional<String> user) {
        return new ErrorPage(status, title, message, requestId, signIn, code, user, tryAgain, retryAfterSeconds);
    }

    ErrorPage withTryAgain(Optional<String> href, int retryAfter) {
        return new ErrorPage(status, title, message, requestId, signIn, code, signedInAs, href, retryAfter);
    }

    String html() {
        StringBuilder b = new StringBuilder("<h1>").append(escape(title)).append("</h1><p>").append(escape(message)).append("</p>");
        signedInAs.ifPresent(u -> b.append("<p>You are signed in as <strong>").append(escape(u)).append("</strong>.</p>"));
        code.ifPresent(c -> b.append("<section aria-labelledby=\"meaning\"><h2 id=\"meaning\">What this means</h2><p><strong>")
                .append(escape(c)).append("</strong>: ")
                .append(escape(AadstsExplanations.forUser(c).orElse("Microsoft Entra ID gave this reason. An administrator can "
                        + "look it up in Entra's sign-in logs.")))
                .append("</p></section>"));
        b.append("<section aria-labelledby=\"next\"><h2 id=\"next\">What you can do</h2><ul class=\"next\">");
        tryAgain.ifPresent(href -> b.append("<li><a class=\"action\" href=\"").append(escape(href)).append("\">Try again</a></li>"));
        b.append("<li><a class=\"action\" href=\"").append(escape(signIn)).append("\">Sign in again</a></li>");
        if (signedInAs.isPresent()) {
            b.append("<li><a href=\"/oauth2/whoami\">See who you are signed in as, your groups, and which apps you may use</a></li>");
        }
        b.append("<li>If this keeps happening, ask your administrator for help and quote the request id below.</li></ul></section>");
        b.append("<table><caption>For your administrator</caption><tbody>");
        b.append("<tr><th scope=\"row\">Request id</th><td><code id=\"request-id\">").append(escape(requestId)).append("</code></td></tr>");
        b.append("<tr><th scope=\"row\">Status</th><td>").append(status).append("</td></tr>");
        code.ifPresent(c -> b.append("<tr><th scope=\"row\">Error code</th><td>").append(escape(c))
                .append(AadstsExplanations.explain(c).map(e -> ": " + escape(e)).orElse("")).append("</td></tr>"));
        b.append("</tbody></table>");
        return PageLayout.document(title, b.toString());
    }
}
