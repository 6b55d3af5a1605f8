package io.github.aksauthproxy.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The stand-in for Entra and the service configured against it, started once for a test class:
 * {@code @RegisterExtension static final StandInAndService env = new StandInAndService(Map.of(...))}.
 */
final class StandInAndService implements BeforeAllCallback, AfterAllCallback {
    private final Map<String, String> settings;
    private Path dir;
    private EntraStandIn idp;
    private ServiceUnderTest service;

    /** @param settings environment entries on top of {@link ServiceUnderTest#environment} */
    StandInAndService(Map<String, String> settings) {
        this.settings = settings;
    }

    EntraStandIn idp() {
        return idp;
    }

    ServiceUnderTest service() {
        return service;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("aks-auth-proxy-it");
        idp = new EntraStandIn();
        service = ServiceUnderTest.start(idp, dir, new MutableClock(Instant.now()), settings);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            service.close();
            idp.close();
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                // A leftover temporary directory fails no test.
            }
        }
    }
}
