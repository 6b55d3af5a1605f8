package io.github.aksauthproxy.cli;

import io.github.aksauthproxy.config.ConfigLoader;
import io.github.aksauthproxy.config.InvalidConfigException;
import io.github.aksauthproxy.config.SidecarConfig;
import io.github.aksauthproxy.sidecar.SidecarServer;
import io.vertx.core.Vertx;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Runs the app-token proxy to one upstream until the process is stopped; exits 1 at once if it gets no token. */
@Command(name = "sidecar", description = "Proxy requests to one https upstream with an app-only Entra token (no users); /health reports the token.")
final class SidecarCommand implements Callable<Integer> {
    /** Long enough for MSAL4J's timeouts and one retry; a down IdP fails well before this. */
    private static final long START_TIMEOUT_SECONDS = 45;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final Map<String, String> env;

    SidecarCommand() {
        this(System.getenv());
    }

    SidecarCommand(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        SidecarConfig config;
        try {
            config = ConfigLoader.loadSidecar(env);
        } catch (InvalidConfigException e) {
            CheckConfigCommand.printProblems(err, e);
            return 1;
        }
        Vertx vertx = Vertx.vertx();
        SidecarServer sidecar;
        try {
            sidecar = SidecarServer.start(vertx, config, Clock.systemUTC()).await(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            err.println("aks-auth-proxy sidecar could not start: " + e.getMessage());
            err.flush();
            vertx.close();
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                sidecar.close().compose(x -> vertx.close()).await(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                // shutting down anyway
            }
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }
}
