package io.github.aksauthproxy.it;

import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Stands in for Microsoft Graph, which cannot run here: HTTPS on loopback with a certificate of its own, answering
 * the calls a delegated token with {@code User.Read} may make about its user the way Graph v1.0 answers them:
 * {@code POST /me/checkMemberGroups} (at most 20 ids, transitive), {@code POST /me/getMemberObjects} (transitive
 * groups plus directory roles and administrative units), and {@code GET /me/transitiveMemberOf/microsoft.graph.group}
 * (only with {@code ConsistencyLevel: eventual} and {@code $count=true}, paged with {@code @odata.nextLink}). The
 * token must be signed by the stand-in for Entra, for Graph ({@code aud}), with {@code User.Read} in {@code scp}. A test
 * can make it throttle (429 with {@code Retry-After}), refuse ({@code 403 Authorization_RequestDenied}, as for an app
 * without the permission's consent), drop every connection (unreachable), or point its next page elsewhere; every
 * request it receives is recorded, so calls can be counted.
 */
final class GraphStandIn implements AutoCloseable {
    static final String CHECK_MEMBER_GROUPS = "/v1.0/me/checkMemberGroups";
    static final String GET_MEMBER_OBJECTS = "/v1.0/me/getMemberObjects";
    static final String TRANSITIVE_GROUPS = "/v1.0/me/transitiveMemberOf/microsoft.graph.group";

    /** How Graph answers now. */
    sealed interface Mode {
    }

    record Normal() implements Mode {
    }

    record Throttling(int retryAfterSeconds) implements Mode {
    }

    record RefusingConsent() implements Mode {
    }

    record Unreachable() implements Mode {
    }

    /** Answers normally but names {@code nextPage} as the next page of transitiveMemberOf. */
    record NextPageElsewhere(String nextPage) implements Mode {
    }

    private final LoopbackHttpsServer server;
    private final JWKSet keys;
    /** Direct members: user or group object id -> the groups it is a direct member of. */
    private final Map<String, Set<String>> memberOf = new ConcurrentHashMap<>();
    /** Directory roles and administrative units of a user: getMemberObjects returns them too. */
    private final Map<String, List<String>> otherObjects = new ConcurrentHashMap<>();
    private final AtomicReference<Mode> mode = new AtomicReference<>(new Normal());
    private final int pageSize;

    /** @param pageSize most groups per page of transitiveMemberOf (Graph's is up to 999; smaller makes paging visible) */
    GraphStandIn(EntraStandIn idp, int pageSize) throws Exception {
        this.keys = idp.keys();
        this.pageSize = pageSize;
        this.server = new LoopbackHttpsServer(this::answer);
    }

    String url() {
        return server.url();
    }

    /** The certificate to trust, as a PEM file (with the IdP's: AKS_AUTH_PROXY_IDP_CA_FILE). */
    Path caFile() {
        return server.caFile();
    }

    LoopbackHttpsServer server() {
        return server;
    }

    /** {@code member} (a user or a group) is a direct member of each of {@code groups}. */
    void member(String member, List<String> groups) {
        memberOf.computeIfAbsent(member, m -> java.util.Collections.synchronizedSet(new LinkedHashSet<>())).addAll(groups);
    }

    void removeMember(String member, String group) {
        memberOf.getOrDefault(member, Set.of()).remove(group);
    }

    /** Directory roles or administrative units the user is in: not groups, so never in a groups header. */
    void otherObjects(String user, List<String> ids) {
        otherObjects.put(user, List.copyOf(ids));
    }

    void mode(Mode m) {
        mode.set(m);
    }

    /** The requests for {@code path} so far. */
    List<LoopbackHttpsServer.Received> calls(String path) {
        return server.received().stream().filter(r -> URI.create(r.uri()).getPath().equals(path)).toList();
    }

    List<LoopbackHttpsServer.Received> calls() {
        return server.received();
    }

    /** Every group {@code member} is in, through any depth of nesting. */
    Set<String> transitiveGroups(String member) {
        Set<String> found = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(memberOf.getOrDefault(member, Set.of()));
        while (!todo.isEmpty()) {
            String g = todo.poll();
            if (found.add(g)) {
                todo.addAll(memberOf.getOrDefault(g, Set.of()));
            }
        }
        return found;
    }

    private void answer(HttpServerRequest req, LoopbackHttpsServer.Received r) {
        Mode m = mode.get();
        if (m instanceof Unreachable) {
            req.connection().close();
            return;
        }
        String user = user(r.headers().get("Authorization"));
        if (user == null) {
            error(req, 401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.");
            return;
        }
        if (m instanceof Throttling t) {
            req.response().putHeader("Retry-After", Integer.toString(t.retryAfterSeconds()));
            error(req, 429, "TooManyRequests", "Too many requests.");
            return;
        }
        if (m instanceof RefusingConsent) {
            error(req, 403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
            return;
        }
        URI uri = URI.create(r.uri());
        switch (req.method().name() + " " + uri.getPath()) {
            case "POST " + CHECK_MEMBER_GROUPS -> {
                JsonArray asked = new JsonObject(r.body()).getJsonArray("groupIds", new JsonArray());
                if (asked.size() > 20) {
                    error(req, 400, "Request_BadRequest", "The number of group ids exceeds the maximum of 20.");
                    return;
                }
                Set<String> in = transitiveGroups(user);
                collection(req, asked.stream().map(String::valueOf).filter(in::contains).map(id -> (Object) id).toList(), null, null);
            }
            case "POST " + GET_MEMBER_OBJECTS -> {
                List<Object> all = new ArrayList<>(transitiveGroups(user));
                all.addAll(otherObjects.getOrDefault(user, List.of()));
                collection(req, all, null, null);
            }
            case "GET " + TRANSITIVE_GROUPS -> transitivePage(req, r, user, uri, m);
            default -> error(req, 404, "Request_ResourceNotFound", "Resource not found for the segment.");
        }
    }

    private void transitivePage(HttpServerRequest req, LoopbackHttpsServer.Received r, String user, URI uri, Mode m) {
        Map<String, String> q = query(uri.getRawQuery());
        // Graph: a cast to a derived type is an advanced query; without both it answers 400.
        if (!"eventual".equals(r.headers().get("ConsistencyLevel")) || !"true".equals(q.get("$count"))) {
            error(req, 400, "Request_UnsupportedQuery", "The specified filter to the reference property query is currently not supported.");
            return;
        }
        List<String> all = new ArrayList<>(transitiveGroups(user));
        int from = q.containsKey("$skiptoken") ? Integer.parseInt(q.get("$skiptoken")) : 0;
        int size = Math.min(pageSize, q.containsKey("$top") ? Integer.parseInt(q.get("$top")) : 100);
        int to = Math.min(all.size(), from + size);
        List<Object> page = all.subList(from, to).stream().map(id -> (Object) new JsonObject().put("@odata.type", "#microsoft.graph.group")
                .put("id", id)).toList();
        String next = to >= all.size() ? null : m instanceof NextPageElsewhere e ? e.nextPage()
                : url() + TRANSITIVE_GROUPS + "?$select=id&$top=" + size + "&$count=true&$skiptoken=" + to;
        collection(req, page, next, all.size());
    }

    private static void collection(HttpServerRequest req, List<Object> value, String nextLink, Integer count) {
        JsonObject body = new JsonObject().put("@odata.context", "https://graph.microsoft.com/v1.0/$metadata#directoryObjects");
        if (count != null) {
            body.put("@odata.count", count);
        }
        if (nextLink != null) {
            body.put("@odata.nextLink", nextLink);
        }
        body.put("value", new JsonArray(value));
        req.response().setStatusCode(200).putHeader("Content-Type", "application/json;odata.metadata=minimal").end(body.encode());
    }

    private static void error(HttpServerRequest req, int status, String code, String message) {
        req.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(new JsonObject().put("error",
                new JsonObject().put("code", code).put("message", message).put("innerError", new JsonObject()
                        .put("request-id", "00000000-0000-0000-0000-000000000000"))).encode());
    }

    /** The token's user when it is a Graph token with User.Read signed by the stand-in for Entra; else null. */
    private String user(String authorization) {
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return null;
        }
        SecretsSeen.add(authorization.substring(7));
        try {
            SignedJWT jwt = SignedJWT.parse(authorization.substring(7));
            RSAKey key = (RSAKey) keys.getKeyByKeyId(jwt.getHeader().getKeyID());
            if (key == null || !jwt.verify(new RSASSAVerifier(key))) {
                return null;
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            String scp = claims.getStringClaim("scp");
            if (!claims.getAudience().contains(EntraShapedTokenCallback.GRAPH_APP_ID) || scp == null
                    || !List.of(scp.split(" ")).contains("User.Read")) {
                return null;
            }
            return claims.getStringClaim("oid");
        } catch (Exception e) {
            return null;
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new LinkedHashMap<>();
        for (String pair : raw == null ? new String[0] : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                q.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return q;
    }

    @Override
    public void close() throws Exception {
        server.close();
    }
}
