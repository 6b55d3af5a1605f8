package io.github.aksauthproxy.graph;

import io.github.aksauthproxy.entra.IdpTls;
import io.github.aksauthproxy.graph.GraphFailure.Kind;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.TrustOptions;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * The two calls the service makes to Microsoft Graph, on the service's own Vert.x (its web client), always with the
 * signed-in user's delegated token (User.Read suffices for both) and always to the configured Graph of the cloud,
 * never to a URL a token names: the overage claim's {@code _claim_sources} points at the retired Azure AD Graph, and
 * a URL from a token would send the user's Graph token wherever the token's issuer wished. Non-blocking: results
 * complete on Vert.x threads. The web client reads each answer whole on the connection's own thread: with the bare
 * HTTP client, a call begun on another thread (MSAL4J's, where the user's Graph token arrives) could lose an answer's
 * body that came before its handler was set, and the call would never end.
 */
public final class MicrosoftGraph implements AutoCloseable {
    /** Graph's limit of ids per {@code checkMemberGroups} call. */
    public static final int CHECK_BATCH = 20;
    static final String CHECK_MEMBER_GROUPS = "/v1.0/me/checkMemberGroups";
    static final String TRANSITIVE_GROUPS = "/v1.0/me/transitiveMemberOf/microsoft.graph.group";
    /** 999 is Graph's largest page; the count and eventual consistency make it an advanced query, which the cast to groups needs. */
    private static final String FIRST_PAGE = TRANSITIVE_GROUPS + "?$select=id&$top=999&$count=true";
    /** A user in more groups than this many pages hold is not served by a header anyway; this bounds a loop of nextLinks. */
    private static final int MAX_PAGES = 100;
    private static final long CONNECT_TIMEOUT_MS = 5_000;
    private static final long IDLE_TIMEOUT_MS = 10_000;
    private static final Pattern GUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private final URI base;
    private final Vertx vertx;
    private final WebClientOptions options;
    /** Made on first use: a service whose users never need Graph (no group overage) does not load its client at start. */
    private WebClient http;
    private boolean closed;

    /**
     * @param base Graph of the cloud, like {@code https://graph.microsoft.com}
     * @param caFile more CA certificates to trust (the identity provider's CA file: a TLS-inspecting egress proxy)
     */
    public MicrosoftGraph(Vertx vertx, URI base, Optional<Path> caFile) {
        this.base = base;
        WebClientOptions options = new WebClientOptions();
        options.setSsl(true).setVerifyHost(true).setForceSni(true).setConnectTimeout((int) CONNECT_TIMEOUT_MS);
        caFile.ifPresent(ca -> options.setTrustOptions(TrustOptions.wrap(IdpTls.trustManager(ca, "AKS_AUTH_PROXY_IDP_CA_FILE"))));
        this.vertx = vertx;
        this.options = options;
    }

    /** The client, made now if this is the first call; empty once closed. */
    private synchronized Optional<WebClient> http() {
        if (closed) {
            return Optional.empty();
        }
        if (http == null) {
            http = WebClient.create(vertx, options);
        }
        return Optional.of(http);
    }

    /**
     * Which of {@code groupIds} the token's user is a member of, directly or through nesting: {@code POST
     * /me/checkMemberGroups}, {@value #CHECK_BATCH} ids per call, one call after the other.
     */
    public CompletableFuture<Set<String>> memberOf(String userToken, Collection<String> groupIds) {
        List<String> ids = groupIds.stream().map(id -> id.toLowerCase(Locale.ROOT)).distinct().sorted().toList();
        Future<Set<String>> result = Future.succeededFuture(new LinkedHashSet<>());
        for (int from = 0; from < ids.size(); from += CHECK_BATCH) {
            List<String> batch = ids.subList(from, Math.min(ids.size(), from + CHECK_BATCH));
            result = result.compose(found -> call(HttpMethod.POST, base + CHECK_MEMBER_GROUPS, userToken,
                    new JsonObject().put("groupIds", new JsonArray(new ArrayList<>(batch))), CHECK_MEMBER_GROUPS).map(answer -> {
                        // Only ids that were asked count: an answer naming others is not believed.
                        guids(answer).stream().filter(batch::contains).forEach(found::add);
                        return found;
                    }));
        }
        return result.toCompletionStage().toCompletableFuture();
    }

    /**
     * The ids of every group the token's user is in, directly or through nesting, and only groups (directory roles and
     * administrative units, which {@code getMemberObjects} would add, are not): {@code GET
     * /me/transitiveMemberOf/microsoft.graph.group}, following {@code @odata.nextLink} within Graph only.
     */
    public CompletableFuture<List<String>> groupIds(String userToken) {
        return page(userToken, base + FIRST_PAGE, new LinkedHashSet<>(), 1).map(all -> (List<String>) new ArrayList<>(all))
                .toCompletionStage().toCompletableFuture();
    }

    private Future<Set<String>> page(String userToken, String url, Set<String> found, int n) {
        return call(HttpMethod.GET, url, userToken, null, TRANSITIVE_GROUPS).compose(answer -> {
            found.addAll(guids(answer));
            Object next = answer.getValue("@odata.nextLink");
            if (next == null) {
                return Future.succeededFuture(found);
            }
            if (!(next instanceof String link) || !sameEndpoint(link)) {
                return Future.failedFuture(new GraphFailure(Kind.UNEXPECTED_ANSWER, 0, "", Optional.empty(),
                        "Microsoft Graph's next page of " + TRANSITIVE_GROUPS + " is not on " + base + TRANSITIVE_GROUPS + "; not followed"));
            }
            if (n >= MAX_PAGES) {
                return Future.failedFuture(new GraphFailure(Kind.UNEXPECTED_ANSWER, 0, "", Optional.empty(),
                        "Microsoft Graph returned more than " + MAX_PAGES + " pages of " + TRANSITIVE_GROUPS));
            }
            return page(userToken, link, found, n + 1);
        });
    }

    /** The user's token goes only to the configured Graph, and a next page only to the same collection. */
    private boolean sameEndpoint(String link) {
        try {
            URI u = new URI(link);
            return base.getScheme().equalsIgnoreCase(u.getScheme()) && base.getHost().equalsIgnoreCase(u.getHost())
                    && base.getPort() == u.getPort() && u.getRawUserInfo() == null && (TRANSITIVE_GROUPS).equals(u.getRawPath());
        } catch (java.net.URISyntaxException | NullPointerException e) {
            return false;
        }
    }

    private Future<JsonObject> call(HttpMethod method, String url, String userToken, JsonObject body, String what) {
        Optional<WebClient> client = http();
        Future<HttpResponse<Buffer>> sent;
        if (client.isEmpty()) {
            sent = Future.failedFuture(new IllegalStateException("the service is stopping"));
        } else {
            HttpRequest<Buffer> request = client.get().requestAbs(method, url).idleTimeout(IDLE_TIMEOUT_MS)
                    .putHeader("Authorization", "Bearer " + userToken).putHeader("Accept", "application/json")
                    // transitiveMemberOf cast to groups is an advanced query: without it Graph answers 400 Request_UnsupportedQuery.
                    .putHeader("ConsistencyLevel", "eventual");
            try {
                sent = body == null ? request.send() : request.sendJsonObject(body);
            } catch (RuntimeException e) {
                sent = Future.failedFuture(e);
            }
        }
        return sent.map(resp -> answer(resp, what))
                .recover(e -> Future.failedFuture(e instanceof GraphFailure ? e : new GraphFailure(Kind.UNREACHABLE, 0, "", Optional.empty(),
                        "Microsoft Graph cannot be reached for " + what + " (" + e.getClass().getSimpleName()
                                + (e.getMessage() == null ? "" : ": " + printable(e.getMessage())) + ")")));
    }

    private static JsonObject answer(HttpResponse<Buffer> resp, String what) {
        int status = resp.statusCode();
        Buffer body = resp.body() == null ? Buffer.buffer() : resp.body();
        Optional<Duration> retryAfter = retryAfter(resp.getHeader("Retry-After"));
        if (status == 200) {
            try {
                JsonObject json = body.toJsonObject();
                if (json.getValue("value") instanceof JsonArray) {
                    return json;
                }
            } catch (DecodeException | ClassCastException e) {
                // reported below
            }
            throw new GraphFailure(Kind.UNEXPECTED_ANSWER, 0, "", Optional.empty(), "Microsoft Graph's answer to " + what + " is not a collection");
        }
        String code = errorCode(body);
        String said = "Microsoft Graph answered " + status + (code.isEmpty() ? "" : " " + code) + " to " + what;
        if (status == 429 || status == 503 && retryAfter.isPresent()) {
            throw new GraphFailure(Kind.THROTTLED, status, code, retryAfter, said + retryAfter.map(d -> ", Retry-After " + d.toSeconds() + "s").orElse(""));
        }
        if (status == 401 || status == 403) {
            throw new GraphFailure(Kind.REFUSED, status, code, retryAfter, said);
        }
        throw new GraphFailure(status >= 500 ? Kind.UNREACHABLE : Kind.UNEXPECTED_ANSWER, status, code, retryAfter, said);
    }

    /** Graph's {@code {"error": {"code": ...}}}, cut and made printable: it goes into a log line. */
    private static String errorCode(Buffer body) {
        try {
            Object code = body.toJsonObject().getJsonObject("error", new JsonObject()).getValue("code");
            return code instanceof String s ? printable(s) : "";
        } catch (DecodeException | ClassCastException e) {
            return "";
        }
    }

    /** RFC 9110 section 10.2.3, the delay-seconds form (the one Graph sends); an HTTP date is ignored. */
    static Optional<Duration> retryAfter(String value) {
        return value != null && value.trim().matches("\\d{1,9}") ? Optional.of(Duration.ofSeconds(Long.parseLong(value.trim()))) : Optional.empty();
    }

    /** The group ids of a collection answer, lower case; anything that is no GUID never reaches a header. */
    private static List<String> guids(JsonObject answer) {
        List<String> ids = new ArrayList<>();
        for (Object v : answer.getJsonArray("value")) {
            Object id = v instanceof JsonObject o ? o.getValue("id") : v;
            if (id instanceof String s && GUID.matcher(s.toLowerCase(Locale.ROOT)).matches()) {
                ids.add(s.toLowerCase(Locale.ROOT));
            }
        }
        return ids;
    }

    private static String printable(String s) {
        String cut = s.length() > 120 ? s.substring(0, 120) + "..." : s;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (http != null) {
            http.close();
        }
    }
}
