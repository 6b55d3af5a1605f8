package io.github.aksauthproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.aksauthproxy.redis.Within;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code AKS_AUTH_PROXY_SESSION_STORE=redis} through HTTP: two replicas of the service sharing one real redis-server.
 * Each test signs in its own browser, so the tests share the replicas but no session.
 */
class RedisSessionStoreTest {
    static final String SESSION = SignInFlowTest.SESSION;
    @RegisterExtension
    // No rate limit: its script reads Redis on every request, and these tests count Redis's reads (RedisRateLimitTest has it).
    static final RedisReplicas env = new RedisReplicas(2, Map.of("AKS_AUTH_PROXY_AUTH_RATE_BURST", "0"));

    private static ServiceUnderTest a() {
        return env.replica(0);
    }

    private static ServiceUnderTest b() {
        return env.replica(1);
    }

    @Test
    void sessionSignedInAtOneReplicaGets200AtTheOther() {
        TestBrowser browser = env.signedInAt(0);

        HttpResponse<String> atB = browser.get(b().auth());

        assertThat(atB.statusCode()).isEqualTo(200);
        assertThat(atB.headers().firstValue("X-Auth-Request-User")).hasValue("alice@contoso.example");
        assertThat(atB.headers().firstValue("Authorization")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer ey"));
        assertThat(atB.headers().allValues("Set-Cookie")).as("a ticket is never renewed: the idle timeout is kept in Redis").isEmpty();
        assertThat(browser.cookies.get(SESSION)).startsWith("t1.").hasSizeLessThan(200);
    }

    @Test
    void signOutAtOneReplicaEndsTheSessionAtEveryReplicaWithinOneSecond() throws Exception {
        TestBrowser browser = env.signedInAt(0);
        String copied = browser.cookieHeader();
        assertThat(browser.get(a().auth()).statusCode()).isEqualTo(200);
        env.answersFromMemory(b(), copied);

        HttpResponse<String> out = browser.get(a().publicUrl + "/oauth2/sign_out");

        assertThat(out.statusCode()).isEqualTo(200);
        assertThat(SignOutTest.setCookies(out)).containsExactly(SignOutTest.cleared(SESSION));
        assertThat(authWith(a(), copied).statusCode()).as("the copied cookie at the replica that signed out").isEqualTo(401);
        Duration took = Within.until(Duration.ofSeconds(1), "replica B to refuse the signed-out session",
                () -> authWith(b(), copied).statusCode() == 401);
        assertThat(took).isLessThan(Duration.ofSeconds(1));
        assertThat(authWith(b(), copied).body()).isEqualTo("unauthenticated");
    }

    @Test
    void sessionsRevokeUserEndsEverySessionOfThatUserAtEveryReplicaAndAuditsEach() throws Exception {
        EntraShapedTokenCallback.User carol = new EntraShapedTokenCallback.User("33333333-2222-4333-8444-555555555555",
                "carol@contoso.example", "Carol Example", List.of());
        EntraShapedTokenCallback.User dave = new EntraShapedTokenCallback.User("44444444-2222-4333-8444-555555555555",
                "dave@contoso.example", "Dave Example", List.of());
        TestBrowser first = a().signedInAs(env.idp(), carol);
        TestBrowser second = b().signedInAs(env.idp(), carol);
        TestBrowser other = a().signedInAs(env.idp(), dave);
        assertThat(first.get(a().auth()).statusCode()).isEqualTo(200);
        env.answersFromMemory(b(), second.cookieHeader());

        Command listed = Command.run(a().env, "list", "--user", "carol@contoso.example");
        assertThat(listed.exit()).isZero();
        assertThat(listed.out()).contains("2 sessions").contains(carol.oid()).doesNotContain(dave.oid())
                .containsPattern("carol@contoso\\.example +" + carol.oid() + " .* aks\\n");
        Command revoked;
        try (AuditCapture audit = new AuditCapture()) {
            revoked = Command.run(a().env, "revoke", "--user", "carol@contoso.example");
            assertThat(audit.lines()).hasSize(2).allSatisfy(l -> {
                assertThat(l.getString("event")).isEqualTo("session.revoked");
                assertThat(l.getString("user")).isEqualTo("carol@contoso.example");
                assertThat(l.getString("by")).isEqualTo("operator");
            });
        }

        assertThat(revoked.exit()).isZero();
        assertThat(revoked.out()).endsWith("2 sessions ended\n");
        Within.until(Duration.ofSeconds(1), "every replica to refuse Carol's sessions", () -> env.replicas().stream()
                .allMatch(r -> authWith(r, first.cookieHeader()).statusCode() == 401 && authWith(r, second.cookieHeader()).statusCode() == 401));
        assertThat(other.get(b().auth()).statusCode()).as("another user's session").isEqualTo(200);
        assertThat(Command.run(a().env, "list", "--user", carol.oid()).out()).endsWith("0 sessions\n");
    }

    /** {@code aks-auth-proxy sessions ...} run in-process with a replica's settings. */
    record Command(int exit, String out, String err) {
        static Command run(Map<String, String> environment, String... args) {
            java.io.StringWriter out = new java.io.StringWriter();
            java.io.StringWriter err = new java.io.StringWriter();
            picocli.CommandLine cl = new picocli.CommandLine(new io.github.aksauthproxy.cli.SessionsCommand(environment));
            cl.setOut(new java.io.PrintWriter(out));
            cl.setErr(new java.io.PrintWriter(err));
            int exit = cl.execute(args);
            return new Command(exit, out.toString(), err.toString());
        }
    }

    @Test
    void aClaimsChallengeSeenAtOneReplicaIsCarriedByTheSignInStartedAtTheOther() throws Exception {
        TestBrowser browser = env.signedInAt(0);
        env.idp().answerTokenRequests("refresh_token",
                EntraStandIn.entraError(400, "invalid_grant", "AADSTS50076", "basic_action", EntraRefusalTest.CLAIMS));
        try {
            assertThat(browser.get(a().auth()).statusCode()).isEqualTo(401);

            HttpResponse<String> start = browser.get(b().start("/app"));

            assertThat(start.statusCode()).isEqualTo(302);
            java.net.URI authorize = java.net.URI.create(TestBrowser.location(start));
            assertThat(SignInFlowTest.query(authorize)).containsEntry("claims", EntraRefusalTest.CLAIMS)
                    .containsEntry("scope", "openid profile offline_access " + EntraRefusalTest.AKS_SCOPE);
            env.idp().answerTokenRequestsNormally();
            assertThat(browser.followUntil(authorize.toString(), b().publicUrl + "/app")).isEqualTo(b().publicUrl + "/app");
            assertThat(browser.get(a().auth()).statusCode()).as("the stepped-up session at the first replica").isEqualTo(200);
            assertThat(dump(env.redis())).as("the claims challenge is sealed in Redis").doesNotContain("capolids");
        } finally {
            env.idp().answerTokenRequestsNormally();
        }
    }

    @Test
    void groupsOfATokenMintedAtOneReplicaCountAtTheReplicaThatGetsTheTokenFromRedis() {
        EntraShapedTokenCallback.User grace = new EntraShapedTokenCallback.User("77777777-2222-4333-8444-555555555555",
                "grace@contoso.example", "Grace Example", List.of(FreshGroupsTest.G1, FreshGroupsTest.G2));
        TestBrowser browser = a().signedInAsFromNowOn(env.idp(), grace);
        try {
            // Removed from G2 after signing in: the first token's ID token says so.
            env.idp().claims.signInAs(new EntraShapedTokenCallback.User(grace.oid(), grace.preferredUsername(), grace.name(),
                    List.of(FreshGroupsTest.G1)));
            HttpResponse<String> atA = browser.get(a().auth());
            assertThat(atA.headers().firstValue("X-Auth-Request-Groups")).hasValue(FreshGroupsTest.G1);
            int minted = env.idp().tokenRequests("refresh_token").size();

            HttpResponse<String> atB = browser.get(b().auth());

            assertThat(atB.statusCode()).isEqualTo(200);
            assertThat(env.idp().tokenRequests("refresh_token")).as("B took A's token from Redis").hasSize(minted);
            assertThat(atB.headers().firstValue("X-Auth-Request-Groups")).as("the groups of that token, not of the sign-in")
                    .hasValue(FreshGroupsTest.G1);
        } finally {
            env.idp().claims.signInAs(EntraStandIn.ALICE);
        }
    }

    @Test
    void entraRefusingTheRefreshTokenEndsTheSessionAtEveryReplica() throws Exception {
        TestBrowser browser = env.signedInAt(0);
        env.idp().answerTokenRequests("refresh_token", EntraStandIn.entraError(400, "invalid_grant", "AADSTS50173", null, null));
        try {
            int before = env.idp().tokenRequests("refresh_token").size();

            assertThat(browser.get(a().auth()).statusCode()).isEqualTo(401);

            // userinfo asks Entra for nothing: B refuses because A deleted the session in Redis.
            Within.until(Duration.ofSeconds(1), "B to refuse the session Entra ended at A",
                    () -> browser.get(b().publicUrl + "/oauth2/userinfo").statusCode() == 401);
            assertThat(browser.get(b().auth()).statusCode()).isEqualTo(401);
            assertThat(env.idp().tokenRequests("refresh_token")).as("only A asked Entra").hasSize(before + 1);
        } finally {
            env.idp().answerTokenRequestsNormally();
        }
    }

    @Test
    void redisHoldsNeitherTheRefreshTokenNorTheAccessTokenNorTheUsersNameInClear() {
        int before = env.idp().tokenRequests("refresh_token").size();
        TestBrowser browser = env.signedInAt(0);
        HttpResponse<String> allowed = browser.get(a().auth());
        assertThat(allowed.statusCode()).isEqualTo(200);
        String accessToken = allowed.headers().firstValue("Authorization").orElseThrow().substring("Bearer ".length());
        List<Map<String, String>> refreshes = env.idp().tokenRequests("refresh_token");
        assertThat(refreshes).hasSize(before + 1);
        String refreshToken = refreshes.get(refreshes.size() - 1).get("refresh_token");

        String dump = dump(env.redis());

        assertThat(dump).contains(":s:").contains(":t:").contains(":i");
        assertThat(dump).doesNotContain(refreshToken).doesNotContain(accessToken).doesNotContain(accessToken.substring(0, 40))
                .doesNotContainIgnoringCase("alice").doesNotContain(EntraStandIn.ALICE.oid()).doesNotContain(EntraStandIn.ALICE.name());
    }

    @Test
    void ticketsTamperedTruncatedMadeWithAnotherKeyOrNamingNoSessionGet401() {
        TestBrowser browser = env.signedInAt(0);
        String ticket = browser.cookies.get(SESSION);
        String[] parts = ticket.split("\\.");
        char c = parts[2].charAt(10);
        String tampered = parts[0] + "." + parts[1] + "." + parts[2].substring(0, 10) + (c == 'A' ? 'B' : 'A') + parts[2].substring(11);
        String sealed = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[88]);

        for (String value : List.of(tampered, ticket.substring(0, ticket.length() - 12), parts[0] + "." + parts[1] + "." + sealed,
                Tickets.unknownSession(Tickets.randomKey()), Tickets.unknownSession(ServiceUnderTest.KEY_1))) {
            HttpResponse<String> r = authWith(b(), SESSION + "=" + value);
            assertThat(r.statusCode()).as(value).isEqualTo(401);
            assertThat(r.body()).isEqualTo("unauthenticated");
        }
        assertThat(browser.get(b().auth()).statusCode()).as("the real ticket still works").isEqualTo(200);
    }

    @Test
    void sessionPastItsLifetimeGets401() {
        TestBrowser browser = env.signedInAt(0);
        assertThat(browser.get(b().auth()).statusCode()).isEqualTo(200);
        env.clock().advance(Duration.ofHours(12));
        try {
            assertThat(browser.get(b().auth()).statusCode()).isEqualTo(401);
            assertThat(browser.get(a().auth()).statusCode()).isEqualTo(401);
        } finally {
            env.clock().advance(Duration.ofHours(-12));
        }
    }

    @Test
    void recordChangedInRedisGets401AndALogLine() {
        TestBrowser browser = env.signedInAt(0);
        String record = Tickets.recordKey(browser.cookies.get(SESSION), ServiceUnderTest.KEY_1);
        try (LogCapture logs = new LogCapture()) {
            assertThat(env.redis().changeByte(record, 30)).isEqualTo(":" + env.redis().command("STRLEN", record).substring(1));

            HttpResponse<String> r = browser.get(b().auth());

            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.body()).isEqualTo("unauthenticated");
            assertThat(logs.lines()).anyMatch(l -> l.contains("event=session.record_rejected")
                    && l.contains("reason=" + io.github.aksauthproxy.session.SessionRejected.RECORD_TAMPERED.reason()));
        }
    }

    @Test
    void redisStoppedAnswers503WithRetryAfterKeepsTheCookieAndServesAgainOnceBackWithoutSignIn() throws Exception {
        TestBrowser browser = env.signedInAt(0);
        assertThat(browser.get(a().auth()).statusCode()).isEqualTo(200);
        int signIns = env.idp().tokenRequests("authorization_code").size();
        String cookies = browser.cookieHeader();

        env.redis().stop();
        try {
            Within.until(Duration.ofSeconds(3), "A to notice Redis is gone", () -> authWith(a(), cookies).statusCode() == 503);
            for (ServiceUnderTest replica : env.replicas()) {
                HttpResponse<String> r = authWith(replica, cookies);
                assertThat(r.statusCode()).isEqualTo(503);
                assertThat(r.headers().firstValue("Retry-After")).hasValue("5");
                assertThat(r.headers().allValues("Set-Cookie")).isEmpty();
                assertThat(r.body()).isEqualTo("session store temporarily unavailable");
            }
            HttpResponse<String> userinfo = browser.get(b().publicUrl + "/oauth2/userinfo");
            assertThat(userinfo.statusCode()).isEqualTo(503);
            assertThat(userinfo.body()).isEqualTo("{\"error\":\"temporarily_unavailable\"}");
            HttpResponse<String> signOut = browser.get(b().publicUrl + "/oauth2/sign_out");
            assertThat(signOut.statusCode()).as("a session that cannot be ended is not reported as ended").isEqualTo(503);
            assertThat(signOut.headers().allValues("Set-Cookie")).isEmpty();
            // Redis is every replica's: failing readiness on it would take them all out of the Service at once, and
            // the ingress would answer its own 503 without the Retry-After above.
            HttpResponse<String> ready = browser.get(b().internalUrl + "/readyz");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(new JsonObject(ready.body()).getBoolean("ready")).isTrue();
            assertThat(new JsonObject(ready.body()).getJsonArray("degraded").encode()).contains("Redis cannot be used (unreachable)");
            assertThat(metrics(b())).hasEntrySatisfying(PrometheusText.series("aks_auth_proxy_redis_failures_total", "reason", "unreachable"),
                    n -> assertThat(n).isPositive()).containsEntry(PrometheusText.series("aks_auth_proxy_redis_reachable"), 0.0)
                    .containsEntry(PrometheusText.series("aks_auth_proxy_ready"), 1.0)
                    .containsEntry(PrometheusText.series("aks_auth_proxy_degraded", "check", "redis"), 1.0);
            assertThat(browser.cookies).containsKey(SESSION);
        } finally {
            env.redis().startAgain();
        }

        Within.until(Duration.ofSeconds(10), "every replica to serve the session again",
                () -> authWith(a(), cookies).statusCode() == 200 && authWith(b(), cookies).statusCode() == 200);
        HttpResponse<String> readyAgain = browser.get(b().internalUrl + "/readyz");
        assertThat(readyAgain.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(readyAgain.body())).isEqualTo(new JsonObject().put("ready", true));
        assertThat(metrics(b())).containsEntry(PrometheusText.series("aks_auth_proxy_degraded", "check", "redis"), 0.0);
        assertThat(env.idp().tokenRequests("authorization_code")).as("no new sign-in").hasSize(signIns);
    }

    @Test
    void aReplicaThatStartsWithoutRedisIsNotReadyAndSaysWhy(@TempDir Path dir) throws Exception {
        String nobody = "redis://127.0.0.1:" + ServiceUnderTest.freePort();
        try (ServiceUnderTest replica = ServiceUnderTest.start(env.idp(), dir, env.clock(),
                Map.of("AKS_AUTH_PROXY_SESSION_STORE", "redis", "AKS_AUTH_PROXY_REDIS_URL", nobody))) {
            HttpResponse<String> ready = new TestBrowser(env.idp().trust()).get(replica.internalUrl + "/readyz");

            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(new JsonObject(ready.body()).getBoolean("ready")).isFalse();
            assertThat(new JsonObject(ready.body()).getJsonArray("reasons").encode()).contains("Redis cannot be used (unreachable)");
            assertThat(metrics(replica)).containsEntry(PrometheusText.series("aks_auth_proxy_ready"), 0.0)
                    .containsEntry(PrometheusText.series("aks_auth_proxy_degraded", "check", "redis"), 1.0);
        }
    }

    @Test
    void switchingBetweenCookieAndRedisMakesUsersSignInAgainWithA401(@TempDir Path dir) throws Exception {
        TestBrowser atRedis = env.signedInAt(0);
        try (ServiceUnderTest cookieStore = ServiceUnderTest.start(env.idp(), dir, env.clock(), Map.of())) {
            TestBrowser atCookie = cookieStore.signedInAs(env.idp(), EntraStandIn.ALICE);
            assertThat(atCookie.get(cookieStore.auth()).statusCode()).isEqualTo(200);

            HttpResponse<String> cookieAtRedis = authWith(a(), atCookie.cookieHeader());
            HttpResponse<String> ticketAtCookie = authWith(cookieStore, atRedis.cookieHeader());

            assertThat(cookieAtRedis.statusCode()).isEqualTo(401);
            assertThat(cookieAtRedis.body()).isEqualTo("unauthenticated");
            assertThat(ticketAtCookie.statusCode()).isEqualTo(401);
            assertThat(ticketAtCookie.body()).isEqualTo("unauthenticated");
        }
    }

    static HttpResponse<String> authWith(ServiceUnderTest replica, String cookieHeader) {
        return env.authWith(replica, cookieHeader);
    }

    static Map<String, Double> metrics(ServiceUnderTest replica) {
        return PrometheusText.parse(new TestBrowser(env.idp().trust()).get(replica.internalUrl + "/metrics").body());
    }

    static List<String> keys(RedisProcess server, String pattern) {
        String reply = server.command("KEYS", pattern);
        return reply.isEmpty() ? List.of() : List.of(reply.split("\n"));
    }

    /** Every key and value in Redis, as text (values byte for byte). */
    static String dump(RedisProcess server) {
        List<String> out = new ArrayList<>();
        for (String key : keys(server, "*")) {
            String type = server.command("TYPE", key);
            out.add(key + " = " + switch (type) {
                case "+string" -> server.command("GET", key);
                case "+hash" -> server.command("HGETALL", key);
                default -> type;
            });
        }
        return String.join("\n", out);
    }
}
