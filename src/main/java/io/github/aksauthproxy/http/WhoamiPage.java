package io.github.aksauthproxy.http;

import static io.github.aksauthproxy.http.Responses.escape;

import io.github.aksauthproxy.access.AccessDecision;
import io.github.aksauthproxy.session.Session;
import java.util.List;

/**
 * The HTML of {@code /oauth2/whoami}: plain semantic markup (one {@code h1}, {@code h2} per section, tables with
 * captions and header cells, {@code lang}), readable without scripts or styles. Every value is escaped.
 */
final class WhoamiPage {
    private WhoamiPage() {
    }

    static String render(Session s, WhoamiHandler.GroupsView userGroups, WhoamiHandler.ClusterView cluster, List<WhoamiHandler.Verdict> verdicts) {
        StringBuilder b = new StringBuilder("<h1>Who am I</h1>");

        b.append("<section aria-labelledby=\"signin\"><h2 id=\"signin\">Your sign-in</h2><table><caption>What Entra ID told us ")
                .append("about you</caption><tbody>");
        row(b, "User", s.user());
        row(b, "Name", s.name());
        row(b, "E-mail", s.email());
        row(b, "Object id", s.oid());
        row(b, "Tenant", s.tid());
        String listed = userGroups.ids().isEmpty() ? "none" : String.join(", ", userGroups.ids());
        row(b, "Groups", userGroups.source().isEmpty() ? listed : userGroups.source() + (userGroups.ids().isEmpty() ? "" : ": " + listed));
        row(b, "Session expires", s.expiresAt().toString());
        b.append("</tbody></table></section>");

        b.append("<section aria-labelledby=\"cluster\"><h2 id=\"cluster\">What the cluster sees</h2>");
        if (cluster.identity().isPresent()) {
            b.append("<table><caption>The Kubernetes identity of your AKS token (SelfSubjectReview)</caption><tbody>");
            row(b, "Kubernetes user", cluster.identity().get().username());
            List<String> groups = cluster.identity().get().groups();
            row(b, "Kubernetes groups", groups.isEmpty() ? "none" : String.join(", ", groups));
            b.append("</tbody></table>");
        } else {
            b.append("<p>The cluster could not be asked: ").append(escape(cluster.problem())).append("</p>");
        }
        b.append("</section>");

        b.append("<section aria-labelledby=\"profiles\"><h2 id=\"profiles\">Profiles</h2><table><caption>Whether you may use each ")
                .append("profile (<code>?profile=</code> of the auth URL)</caption><thead><tr><th scope=\"col\">Profile</th>")
                .append("<th scope=\"col\">You may use it</th><th scope=\"col\">Why</th></tr></thead><tbody>");
        for (WhoamiHandler.Verdict v : verdicts) {
            AccessDecision d = v.decision();
            String answer = switch (d.outcome()) {
                case ALLOWED -> "yes";
                case DENIED -> "no";
                case UNAVAILABLE -> "unknown: it cannot be checked now";
            };
            b.append("<tr><th scope=\"row\">").append(escape(v.profile().name())).append("</th><td>").append(answer)
                    .append("</td><td>").append(escape(d.reason())).append("</td></tr>");
        }
        b.append("</tbody></table></section>");
        b.append("<p><a href=\"/oauth2/sign_out\">Sign out</a></p>");
        return PageLayout.document("Who am I", b.toString());
    }

    private static void row(StringBuilder b, String name, String value) {
        b.append("<tr><th scope=\"row\">").append(escape(name)).append("</th><td>").append(escape(value)).append("</td></tr>");
    }
}
