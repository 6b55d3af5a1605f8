package io.github.aksauthproxy.kube;

import io.fabric8.kubernetes.api.model.authentication.SelfSubjectReview;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceAttributesBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.client.utils.TokenRefreshInterceptor;
import io.fabric8.kubernetes.client.vertx5.Vertx5HttpClientFactory;
import io.github.aksauthproxy.async.Causes;
import io.github.aksauthproxy.config.ClusterAccess;
import io.github.aksauthproxy.config.RbacRequirement;
import io.github.aksauthproxy.kube.KubernetesFailure.Kind;
import io.vertx.core.Vertx;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The two review calls the service makes to the Kubernetes API server, on fabric8's HTTP client over the
 * service's own Vert.x instance. Every call carries the signed-in user's AKS token and nothing else: the client
 * is built from an empty fabric8 configuration (no kubeconfig, no service-account token) and fabric8's token
 * interceptor is replaced by one that does nothing, so the pod's own identity can never reach the API server.
 * Non-blocking: results complete on Vert.x threads.
 */
public final class KubernetesApi implements AutoCloseable {
    static final String SELF_SUBJECT_REVIEWS = "/apis/authentication.k8s.io/v1/selfsubjectreviews";
    static final String SELF_SUBJECT_ACCESS_REVIEWS = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";
    private static final long TIMEOUT_SECONDS = 5;

    private final Vertx vertx;
    private final URI apiUrl;
    private final Optional<Path> caFile;
    /** fabric8's client and JSON mapping, built on first need: hundreds of classes a start without reviews does not load. */
    private final AtomicReference<CompletableFuture<Fabric8>> fabric8 = new AtomicReference<>();

    private record Fabric8(HttpClient http, KubernetesSerialization json) {
    }

    private KubernetesApi(Vertx vertx, URI apiUrl, Optional<Path> caFile) {
        this.vertx = vertx;
        this.apiUrl = apiUrl;
        this.caFile = caFile;
    }

    /** The API server client, or empty when no API server is configured (outside a cluster). Builds nothing yet. */
    public static Optional<KubernetesApi> create(Vertx vertx, ClusterAccess cluster) {
        return cluster.apiUrl().map(url -> new KubernetesApi(vertx, url, cluster.caFile()));
    }

    /**
     * Builds fabric8's client on a worker now, so the first review does not wait for it; the review calls build it
     * themselves when this was not called.
     */
    public void prepare() {
        fabric8();
    }

    private CompletableFuture<Fabric8> fabric8() {
        CompletableFuture<Fabric8> built = fabric8.get();
        if (built != null) {
            return built;
        }
        CompletableFuture<Fabric8> mine = new CompletableFuture<>();
        if (!fabric8.compareAndSet(null, mine)) {
            return fabric8.get();
        }
        vertx.executeBlocking(this::build, false).onComplete(done -> {
            if (done.succeeded()) {
                mine.complete(done.result());
            } else {
                fabric8.compareAndSet(mine, null);
                mine.completeExceptionally(done.cause());
            }
        });
        return mine;
    }

    private Fabric8 build() {
        ConfigBuilder config = new ConfigBuilder(Config.empty())
                .withAutoConfigure(false)
                .withMasterUrl(apiUrl.toString())
                .withConnectionTimeout((int) TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS))
                .withRequestTimeout((int) TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS))
                // Fail closed fast: a retry loop would hold the ingress's auth subrequest for many seconds.
                .withRequestRetryBackoffLimit(0);
        caFile.ifPresent(ca -> config.withCaCertFile(ca.toString()));
        HttpClient http = new Vertx5HttpClientFactory(vertx).newBuilder(config.build())
                .addOrReplaceInterceptor(TokenRefreshInterceptor.NAME, new Interceptor() {
                })
                .build();
        return new Fabric8(http, new KubernetesSerialization());
    }

    /** Who the cluster thinks the token's owner is (SelfSubjectReview, GA since Kubernetes 1.28). */
    public CompletableFuture<ClusterIdentity> whoAmI(String userToken) {
        SelfSubjectReview review = new SelfSubjectReview();
        review.setApiVersion("authentication.k8s.io/v1");
        review.setKind("SelfSubjectReview");
        return post(SELF_SUBJECT_REVIEWS, userToken, review, SelfSubjectReview.class).thenApply(r -> {
            if (r.getStatus() == null || r.getStatus().getUserInfo() == null) {
                throw new KubernetesFailure(Kind.UNEXPECTED_ANSWER, "the SelfSubjectReview answer has no status.userInfo");
            }
            var info = r.getStatus().getUserInfo();
            return new ClusterIdentity(orEmpty(info.getUsername()), info.getGroups() == null ? List.of() : info.getGroups());
        });
    }

    /** Whether the token's owner may do what the requirement says (SelfSubjectAccessReview). */
    public CompletableFuture<AccessReview> mayI(String userToken, RbacRequirement rbac) {
        SelfSubjectAccessReview review = new SelfSubjectAccessReviewBuilder()
                .withApiVersion("authorization.k8s.io/v1").withKind("SelfSubjectAccessReview")
                .withNewSpec().withResourceAttributes(new ResourceAttributesBuilder()
                        .withVerb(rbac.verb()).withGroup(rbac.group()).withResource(rbac.resource())
                        .withSubresource(rbac.subresource().orElse(null))
                        .withNamespace(rbac.namespace().orElse(null))
                        .withName(rbac.name().orElse(null)).build())
                .endSpec().build();
        return post(SELF_SUBJECT_ACCESS_REVIEWS, userToken, review, SelfSubjectAccessReview.class).thenApply(r -> {
            if (r.getStatus() == null || r.getStatus().getAllowed() == null) {
                throw new KubernetesFailure(Kind.UNEXPECTED_ANSWER, "the SelfSubjectAccessReview answer has no status.allowed");
            }
            return new AccessReview(r.getStatus().getAllowed(), orEmpty(r.getStatus().getReason()));
        });
    }

    private <T> CompletableFuture<T> post(String path, String userToken, Object body, Class<T> type) {
        return fabric8().handle((f, error) -> {
            if (error != null) {
                return CompletableFuture.<T>failedFuture(unavailable(path, error));
            }
            return post(f, path, userToken, body, type);
        }).thenCompose(sent -> sent);
    }

    private <T> CompletableFuture<T> post(Fabric8 f, String path, String userToken, Object body, Class<T> type) {
        HttpClient http = f.http();
        KubernetesSerialization json = f.json();
        HttpRequest request = http.newHttpRequestBuilder()
                .uri(endpoint(path))
                .post("application/json", json.asJson(body).getBytes(StandardCharsets.UTF_8))
                .setHeader("Authorization", "Bearer " + userToken)
                .setHeader("Accept", "application/json")
                .timeout(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .build();
        CompletableFuture<HttpResponse<String>> sent;
        try {
            sent = http.sendAsync(request, String.class);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(unavailable(path, e));
        }
        return sent.handle((response, error) -> {
            if (error != null) {
                throw unavailable(path, error);
            }
            if (response.code() == 401 || response.code() == 403) {
                // The cluster does not accept the user's AKS token (another tenant, a disabled account, local accounts only):
                // it answered, and the answer is no.
                throw new KubernetesFailure(Kind.TOKEN_REFUSED, "the API server refuses the user's AKS token (" + response.code() + ") for " + path);
            }
            if (response.code() >= 500) {
                throw new KubernetesFailure(Kind.UNREACHABLE, "the API server answered " + response.code() + " to " + path);
            }
            if (response.code() != 201 && response.code() != 200) {
                throw new KubernetesFailure(Kind.UNEXPECTED_ANSWER, "the API server answered " + response.code() + " to " + path);
            }
            try {
                return json.unmarshal(response.body(), type);
            } catch (RuntimeException e) {
                throw new KubernetesFailure(Kind.UNEXPECTED_ANSWER, "the API server's answer to " + path + " is not a " + type.getSimpleName());
            }
        });
    }

    /**
     * The API server's URL with {@code path} appended. {@code URI.resolve} would replace a path the configured URL has
     * (an API server reached through a prefixed proxy, like Rancher's {@code /k8s/clusters/<id>}) with {@code path}.
     */
    URI endpoint(String path) {
        String base = apiUrl.toString();
        return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + path);
    }

    private static KubernetesFailure unavailable(String path, Throwable error) {
        Throwable cause = Causes.of(error);
        return new KubernetesFailure(Kind.UNREACHABLE, "the API server cannot be reached for " + path + " ("
                + cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage()) + ")");
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    @Override
    public void close() {
        CompletableFuture<Fabric8> built = fabric8.get();
        if (built != null) {
            built.thenAccept(f -> f.http().close());
        }
    }
}
