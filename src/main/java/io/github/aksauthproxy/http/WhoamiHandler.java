package io.github.aksauthproxy.http;

import io.github.aksauthproxy.access.AccessDecision;
import io.github.aksauthproxy.access.AccessPolicy;
import io.github.aksauthproxy.access.Subject;
import io.github.aksauthproxy.async.Causes;
import io.github.aksauthproxy.config.Config;
import io.github.aksauthproxy.config.Profile;
import io.github.aksauthproxy.entra.AccessToken;
import io.github.aksauthproxy.kube.ClusterIdentity;
import io.github.aksauthproxy.kube.KubernetesApi;
import io.github.aksauthproxy.oidc.GroupClaims;
import io.github.aksauthproxy.session.Session;
import io.github.aksauthproxy.session.SessionStore;
import io.github.aksauthproxy.token.TokenService;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /oauth2/whoami} on the public listener: an HTML page for people debugging their access. It shows the
 * signed-in identity, what the cluster makes of the user's AKS token (SelfSubjectReview), and for each profile
 * whether this user may use it and why. It shows no token. Without a session it sends the browser to sign in.
 */
final class WhoamiHandler implements Handler<RoutingContext> {
    private static final Logger LOG = LoggerFactory.getLogger(WhoamiHandler.class);
    static final String SIGN_IN = "/oauth2/start?rd=/oauth2/whoami";

    private final Config config;
    private final SessionStore sessions;
    private final TokenService tokens;
    private final AccessPolicy access;
    private final Optional<KubernetesApi> kube;
    private final SessionGroups groups;

    WhoamiHandler(Config config, SessionStore sessions, TokenService tokens, AccessPolicy access, Optional<KubernetesApi> kube,
                  SessionGroups groups) {
        this.config = config;
        this.sessions = sessions;
        this.tokens = tokens;
        this.access = access;
        this.kube = kube;
        this.groups = groups;
    }

    /** The cluster's view of the user, or why it could not be had. */
    record ClusterView(Optional<ClusterIdentity> identity, String problem) {
    }

    /** A profile and this user's verdict on it. */
    record Verdict(Profile profile, AccessDecision decision) {
    }

    /** The user's groups as the page shows them: listed by the token, or resolved through Graph, or why they could not be. */
    record GroupsView(List<String> ids, String source) {
    }

    @Override
    public void handle(RoutingContext ctx) {
        Stages.on(ctx, sessions.load(RequestCookies.of(ctx.request())))
                .onSuccess(loaded -> show(ctx, loaded))
                .onFailure(e -> StoreUnavailableAnswer.page(ctx, e));
    }

    private void show(RoutingContext ctx, SessionStore.Loaded loaded) {
        if (!loaded.ok()) {
            Responses.redirect(ctx, SIGN_IN, List.of());
            return;
        }
        Session session = loaded.session();
        GroupClaims known = groups.known(session);
        Subject subject = groups.subject(session, known);
        CompletableFuture<GroupsView> groupsView = known.overage()
                ? groups.graph().all(groups.asker(session)).handle((all, e) -> e == null
                        ? new GroupsView(all, "groups resolved through Microsoft Graph (" + all.size() + ")")
                        : new GroupsView(List.of(), "more than the token can list, and Microsoft Graph cannot tell them now: " + reason(e)))
                : CompletableFuture.completedFuture(new GroupsView(known.ids(), ""));
        Supplier<CompletableFuture<String>> aksToken =
                () -> tokens.token(session, config.profiles().get(Config.DEFAULT_PROFILE)).thenApply(AccessToken::value);
        CompletableFuture<ClusterView> cluster = kube.map(k -> aksToken.get().thenCompose(k::whoAmI)
                        .handle((id, e) -> e == null ? new ClusterView(Optional.of(id), "") : new ClusterView(Optional.empty(), reason(e))))
                .orElse(CompletableFuture.completedFuture(new ClusterView(Optional.empty(), "no Kubernetes API server is configured")));
        List<CompletableFuture<Verdict>> verdicts = new ArrayList<>();
        config.profiles().values().stream().sorted(Comparator.comparing(Profile::name)).forEach(p -> verdicts.add(
                access.decide(p, subject, aksToken, Optional.of(groups.asker(session))).handle((d, e) -> new Verdict(p, e == null ? d
                        : new AccessDecision(AccessDecision.Outcome.UNAVAILABLE, "no AKS token for the check: " + reason(e))))));
        List<CompletableFuture<?>> all = new ArrayList<>(verdicts);
        all.add(cluster);
        all.add(groupsView);
        Future.fromCompletionStage(CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)), ctx.vertx().getOrCreateContext())
                .onComplete(done -> {
                    ClusterView view = cluster.join();
                    if (!view.problem().isEmpty()) {
                        LOG.atInfo().addKeyValue("event", "whoami.cluster_unavailable").addKeyValue("user", session.user())
                                .addKeyValue("sid_hash", LogIds.sidHash(session.id())).addKeyValue("reason", view.problem()).log();
                    }
                    String page = WhoamiPage.render(session, groupsView.join(), view, verdicts.stream().map(CompletableFuture::join).toList());
                    Responses.document(ctx, 200, page, loaded.renewal());
                });
    }

    private static String reason(Throwable e) {
        Throwable cause = Causes.of(e);
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }
}
