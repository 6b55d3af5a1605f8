package io.github.aksauthproxy.redis;

import io.github.aksauthproxy.it.RedisProcess;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh redis-server for each test and clients of the code under test to it (one per "replica"), all closed after
 * the test: {@code @RegisterExtension final RedisServerExtension redis = new RedisServerExtension();}
 */
final class RedisServerExtension implements BeforeEachCallback, AfterEachCallback {
    private final String[] serverArgs;
    private final List<LettuceRedis> clients = new ArrayList<>();
    private RedisProcess server;

    /** @param serverArgs more redis-server options, like {@code "--appendonly", "yes"} to survive a restart */
    RedisServerExtension(String... serverArgs) {
        this.serverArgs = serverArgs;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        server = RedisProcess.start(serverArgs);
    }

    RedisProcess server() {
        return server;
    }

    /** A new client, as one replica of the service would have. */
    LettuceRedis client() {
        LettuceRedis c = RedisTestClients.connect(server);
        clients.add(c);
        return c;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        clients.forEach(LettuceRedis::close);
        clients.clear();
        server.close();
    }
}
