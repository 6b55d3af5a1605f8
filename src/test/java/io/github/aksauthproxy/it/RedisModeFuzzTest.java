package io.github.aksauthproxy.it;

import io.github.aksauthproxy.fuzz.ClientValues;
import io.github.aksauthproxy.fuzz.FuzzBudget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * {@link ClientInputFuzzing} against the redis store, whose cookie holds a ticket ({@code t1.<key id>.<sealed>}) and
 * whose sessions live in a real redis-server: damaged, spliced and forged tickets, and the cookie store's chunk names.
 */
@AddLifecycleHook(FuzzBudget.class)
class RedisModeFuzzTest extends ClientInputFuzzing {
    private static Target target;
    private static RedisProcess redis;
    private static Path dir;

    @BeforeContainer
    static void start() throws Exception {
        Set<String> before = new HashSet<>(SecretsSeen.all());
        dir = Files.createTempDirectory("aks-auth-proxy-fuzz-redis");
        redis = RedisProcess.start();
        EntraStandIn idp = new EntraStandIn();
        Map<String, String> settings = new HashMap<>(SETTINGS);
        settings.put("AKS_AUTH_PROXY_SESSION_STORE", "redis");
        settings.put("AKS_AUTH_PROXY_REDIS_URL", redis.url());
        ServiceUnderTest service = ServiceUnderTest.start(idp, dir, new MutableClock(Instant.now()), settings);
        String ticket = service.signedInAs(idp, EntraStandIn.ALICE).cookies.get(SESSION);
        String bearer = SecretsSeen.recorded(idp.server.issueToken(EntraStandIn.TENANT + "/oauth2/v2.0", "kubelogin",
                BearerPassthroughTest.AKS_APP_ID, BearerPassthroughTest.claims(), 3600).serialize());
        List<String> secrets = new ArrayList<>(SecretsSeen.all());
        secrets.removeAll(before);
        target = new Target(service, idp, List.of(ticket, Tickets.unknownSession(ServiceUnderTest.KEY_1)), bearer, LogScanner.prepare(secrets),
                new SessionOracle() {
                    @Override
                    public boolean valid(Map<String, String> cookies) {
                        String value = cookies.get(SESSION);
                        return value != null && ClientValues.sameBytes(ticket, value, 2, s -> Base64.getUrlDecoder().decode(s));
                    }

                    @Override
                    public boolean missing(Map<String, String> cookies) {
                        return !cookies.containsKey(SESSION) && !cookies.containsKey(SESSION + "_0");
                    }
                });
    }

    @AfterContainer
    static void stop() throws Exception {
        stop(target, dir, redis);
    }

    @Override
    Target target() {
        return target;
    }
}
