package io.github.aksauthproxy.access;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.aksauthproxy.access.AccessDecision.Outcome;
import io.github.aksauthproxy.async.Causes;
import io.github.aksauthproxy.config.Profile;
import io.github.aksauthproxy.config.RbacRequirement;
import io.github.aksauthproxy.kube.AccessReview;
import io.github.aksauthproxy.kube.KubernetesApi;
import io.github.aksauthproxy.kube.KubernetesFailure.Kind;
import io.github.aksauthproxy.kube.KubernetesFailure;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Decides whether a subject may use a profile: first the profile's {@code allow} rules (in memory), then, when the
 * profile has an {@code rbac} rule, a SelfSubjectAccessReview made with the subject's own AKS token. RBAC answers
 * are kept per subject and profile for a short while, so the warm path asks nothing; concurrent misses for one
 * key share one review. An API server that cannot answer (unreachable, timed out, 5xx) fails closed
 * ({@link Outcome#UNAVAILABLE}) unless the profile says {@code on_error: allow}; one that refuses the user's token
 * (401/403) denies; any other answer fails closed whatever the profile says. Only the API server's decisions are kept.
 *
 * <p>A session in group overage (its token lists none of the user's groups, or not all of them) is not "in no
 * group": when only {@code allow.groups} could let it in, Microsoft Graph is asked which of the rule's groups the user
 * is in ({@link GraphGroups}). When Graph cannot answer the decision is {@link Outcome#UNAVAILABLE} (503), never a
 * denial that would look like a real refusal, and never a pass.
 */
public final class AccessPolicy {
    private static final CompletableFuture<AccessDecision> OPEN = CompletableFuture.completedFuture(AccessDecision.OPEN);

    private final Optional<KubernetesApi> kube;
    private final HomeTenant homeTenant;
    private final GraphGroups graphGroups;
    private final Cache<Key, AccessDecision> decisions;
    private final Map<Key, CompletableFuture<AccessDecision>> inFlight = new ConcurrentHashMap<>();

    record Key(String subject, String profile) {
    }

    public AccessPolicy(Optional<KubernetesApi> kube, HomeTenant homeTenant, Clock clock, Duration ttl, GraphGroups graphGroups) {
        this.kube = kube;
        this.homeTenant = homeTenant;
        this.graphGroups = graphGroups;
        this.decisions = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(ttl)
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis())).build();
    }

    /**
     * The decision, completed at once unless an RBAC review must be made. Fails only when {@code aksToken} fails
     * (the token's own failure, for the caller to answer as it answers token failures).
     *
     * @param aksToken the subject's AKS token, asked for only when a review is made
     */
    public CompletableFuture<AccessDecision> decide(Profile profile, Subject subject, Supplier<CompletableFuture<String>> aksToken) {
        return decide(profile, subject, aksToken, Optional.empty());
    }

    /**
     * The decision, asking Microsoft Graph when the subject is in group overage and only {@code allow.groups} could
     * let it in. Fails when {@code aksToken} or the Graph token fails with the session's end (for the caller to answer
     * as it answers token failures); every other failure to learn the groups is {@link Outcome#UNAVAILABLE}.
     *
     * @param graph the session's way to Graph; empty for a bearer caller, whose groups are never asked
     */
    public CompletableFuture<AccessDecision> decide(Profile profile, Subject subject, Supplier<CompletableFuture<String>> aksToken,
                                                    Optional<GraphGroups.Asker> graph) {
        if (profile.open()) {
            return OPEN;
        }
        Optional<String> unmet = IdentityRules.unmet(profile.allow(), subject, homeTenant.id());
        if (unmet.isEmpty()) {
            return afterAllowRules(profile, subject, aksToken, "the allow rules match");
        }
        if (!subject.groupsOverage() || profile.allow().groups().isEmpty() || !IdentityRules.tenantAllowed(profile.allow(), subject)) {
            return CompletableFuture.completedFuture(new AccessDecision(Outcome.DENIED, unmet.get()));
        }
        if (graph.isEmpty()) {
            return CompletableFuture.completedFuture(new AccessDecision(Outcome.DENIED, unmet.get() + " (the token is in group overage: "
                    + "it lists none of the user's groups, and a bearer caller's groups are not asked of Microsoft Graph)"));
        }
        return graphGroups.memberOf(graph.get(), profile.allow().groups()).handle((member, error) -> {
            if (error == null) {
                return member.isEmpty()
                        ? CompletableFuture.completedFuture(new AccessDecision(Outcome.DENIED, unmet.get()
                                + " (groups resolved through Microsoft Graph: the user is in none of allow.groups)"))
                        : afterAllowRules(profile, subject, aksToken, "the allow rules match (groups resolved through Microsoft Graph)");
            }
            Throwable cause = Causes.of(error);
            if (cause instanceof GroupsUnavailable u) {
                return CompletableFuture.completedFuture(new AccessDecision(Outcome.UNAVAILABLE,
                        "the user is in group overage and Microsoft Graph cannot tell their groups: " + u.getMessage(),
                        Optional.of(u.retryAfter())));
            }
            return CompletableFuture.<AccessDecision>failedFuture(cause);
        }).thenCompose(d -> d);
    }

    private CompletableFuture<AccessDecision> afterAllowRules(Profile profile, Subject subject, Supplier<CompletableFuture<String>> aksToken,
                                                              String allowed) {
        if (profile.rbac().isEmpty()) {
            return CompletableFuture.completedFuture(new AccessDecision(Outcome.ALLOWED, allowed));
        }
        Key key = new Key(subject.cacheKey(), profile.name());
        AccessDecision known = decisions.getIfPresent(key);
        if (known != null) {
            return CompletableFuture.completedFuture(known);
        }
        CompletableFuture<AccessDecision> mine = new CompletableFuture<>();
        CompletableFuture<AccessDecision> running = inFlight.putIfAbsent(key, mine);
        if (running != null) {
            return running;
        }
        RbacRequirement rbac = profile.rbac().get();
        review(rbac, aksToken).whenComplete((reviewed, error) -> {
            if (error == null && reviewed.answered()) {
                decisions.put(key, reviewed.decision());
            }
            inFlight.remove(key, mine);
            if (error == null) {
                mine.complete(reviewed.decision());
            } else {
                mine.completeExceptionally(Causes.of(error));
            }
        });
        return mine;
    }

    /** A review's decision, and whether the API server gave it (only those are kept). */
    private record Reviewed(AccessDecision decision, boolean answered) {
    }

    private CompletableFuture<Reviewed> review(RbacRequirement rbac, Supplier<CompletableFuture<String>> aksToken) {
        if (kube.isEmpty()) {
            return CompletableFuture.completedFuture(unanswered(rbac, "no Kubernetes API server is configured"));
        }
        return aksToken.get().thenCompose(token -> kube.get().mayI(token, rbac).handle((AccessReview review, Throwable error) -> {
            if (error != null) {
                Throwable cause = Causes.of(error);
                Kind kind = cause instanceof KubernetesFailure f ? f.kind() : Kind.UNEXPECTED_ANSWER;
                return switch (kind) {
                    // A token the API server refuses is a denial: on_error: allow must not turn it into a pass.
                    case TOKEN_REFUSED -> new Reviewed(new AccessDecision(Outcome.DENIED, cause.getMessage()), true);
                    case UNREACHABLE -> unanswered(rbac, cause.getMessage());
                    case UNEXPECTED_ANSWER -> new Reviewed(new AccessDecision(Outcome.UNAVAILABLE, String.valueOf(cause.getMessage())), false);
                };
            }
            return new Reviewed(review.allowed()
                    ? new AccessDecision(Outcome.ALLOWED, "AKS RBAC allows " + rbac.describe())
                    : new AccessDecision(Outcome.DENIED, "AKS RBAC does not allow " + rbac.describe()
                            + (review.reason().isEmpty() ? "" : " (" + review.reason() + ")")), true);
        }));
    }

    private static Reviewed unanswered(RbacRequirement rbac, String why) {
        return new Reviewed(rbac.allowOnError()
                ? new AccessDecision(Outcome.ALLOWED, "on_error: allow while the API server cannot answer: " + why)
                : new AccessDecision(Outcome.UNAVAILABLE, why), false);
    }
}
