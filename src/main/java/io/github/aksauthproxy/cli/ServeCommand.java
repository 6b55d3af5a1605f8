package io.github.aksauthproxy.cli;

import io.github.aksauthproxy.config.Config;
import io.github.aksauthproxy.config.ConfigLoader;
import io.github.aksauthproxy.config.InvalidConfigException;
import io.github.aksauthproxy.entra.TokenRequestThreads;
import io.github.aksauthproxy.entra.IdpTls;
import io.github.aksauthproxy.http.AuthProxyServer;
import io.github.aksauthproxy.observe.ServiceMetrics;
import io.github.aksauthproxy.oidc.OidcProvider;
import io.vertx.core.Vertx;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Runs the forward-auth service until the process is stopped. */
@Command(name = "serve", description = "Run the forward-auth service (public and internal listeners).")
final class ServeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        Config config;
        try {
            config = ConfigLoader.load(System.getenv());
        } catch (InvalidConfigException e) {
            CheckConfigCommand.printProblems(spec.commandLine().getErr(), e);
            return 1;
        }
        TokenRequestThreads.keepConnectionsAlive(config.tokenRequestsInFlight());
        OidcProvider oidc;
        try {
            oidc = new OidcProvider(config.discoveryUrl(), IdpTls.socketFactory(config.idpCaFile()));
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("aks-auth-proxy could not start: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return 1;
        }
        // Logging first: a thread that logs while another sets logging up makes SLF4J print a warning about it.
        LoggerFactory.getILoggerFactory();
        // At once: discovery and the key set are what /readyz waits for, and fetching them (a TLS handshake and two
        // requests to Entra) can run while the metrics, Vert.x and the listeners start.
        oidc.prefetch();
        ServiceMetrics metrics = new ServiceMetrics(config.profiles().keySet());
        Vertx vertx = metrics.newVertx();
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicReference<AuthProxyServer> running = new AtomicReference<>();
        AtomicBoolean stopping = new AtomicBoolean();
        // Registered before the listeners open: a SIGTERM during start-up (a pod deleted as it starts) stops the
        // service cleanly instead of failing to register a hook while the JVM is already shutting down.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping.set(true);
            AuthProxyServer server = running.get();
            try {
                if (server != null) {
                    // Graceful: /readyz fails at once, requests are answered for the shutdown delay, then those in flight finish.
                    server.shutdown(config.shutdownDelay())
                            .await(config.shutdownDelay().plus(AuthProxyServer.IN_FLIGHT_GRACE).toSeconds() + 5, TimeUnit.SECONDS);
                }
            } catch (Exception e) {
                // shutting down anyway
            }
            try {
                // Not chained onto the server's future: that completes on an event loop this close shuts down.
                vertx.close().await(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                // shutting down anyway
            }
            stopped.countDown();
        }, "aks-auth-proxy-shutdown"));
        try {
            running.set(AuthProxyServer.start(vertx, config, Clock.systemUTC(), new SecureRandom(), metrics, oidc)
                    .await(30, TimeUnit.SECONDS));
        } catch (Exception e) {
            if (stopping.get()) {
                stopped.await();
                return 0;
            }
            spec.commandLine().getErr().println("aks-auth-proxy could not start: " + e.getMessage());
            spec.commandLine().getErr().flush();
            vertx.close();
            return 1;
        }
        if (stopping.get()) {
            // Stopped while the listeners were opening: the hook may have run before there was a server to close.
            try {
                running.get().close().await(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                // shutting down anyway
            }
        }
        stopped.await();
        return 0;
    }
}
