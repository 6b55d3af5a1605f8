package io.github.aksauthproxy.cli;

import io.github.aksauthproxy.config.Config;
import io.github.aksauthproxy.config.ConfigLoader;
import io.github.aksauthproxy.config.ConfigProblem;
import io.github.aksauthproxy.config.InvalidConfigException;
import io.github.aksauthproxy.config.RedisConfig;
import io.github.aksauthproxy.config.SidecarConfig;
import io.github.aksauthproxy.config.TokenCommandConfig;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Validates the configuration and prints every problem at once; exit 1 if there is any. */
@Command(name = "check-config", description = "Validate the configuration (environment and AKS_AUTH_PROXY_CONFIG) of serve, sidecar "
        + "or token and print every problem.")
final class CheckConfigCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    enum Mode { serve, sidecar, token }

    @CommandLine.Option(names = "--mode", defaultValue = "serve",
            description = "the command whose settings to check: serve, sidecar or token (default: ${DEFAULT-VALUE})")
    Mode mode;

    private final Map<String, String> env;

    CheckConfigCommand() {
        this(System.getenv());
    }

    CheckConfigCommand(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try {
            out.println(describeValid());
            out.flush();
            return 0;
        } catch (InvalidConfigException e) {
            printProblems(spec.commandLine().getErr(), e);
            return 1;
        }
    }

    private String describeValid() throws InvalidConfigException {
        return switch (mode) {
            case serve -> {
                Config c = ConfigLoader.load(env);
                yield "configuration is valid: credential " + c.credential().configName() + ", public port " + c.publicPort()
                        + ", internal port " + c.internalPort() + ", profiles " + String.join(", ", c.profiles().keySet())
                        + ", token cache up to " + (c.memory().tokenCacheBytes() >> 20) + " MiB of a " + (Runtime.getRuntime().maxMemory() >> 20)
                        + " MiB heap"
                        + ", at most " + c.tokenRequestsInFlight() + " token requests to Entra at once"
                        + ", groups of users in group overage from " + c.groups().graphUrl().map(g -> "Microsoft Graph " + g + " ("
                                + c.groups().graphScope() + ")").orElse("nowhere: the authority host is no known Microsoft cloud, so "
                                + "such users get 503 on profiles with allow.groups")
                        + ", session store " + c.redis().map(CheckConfigCommand::describe).orElse("cookie");
            }
            case sidecar -> {
                SidecarConfig c = ConfigLoader.loadSidecar(env);
                yield "sidecar configuration is valid: credential " + c.app().credential().configName() + ", address " + c.listenAddress()
                        + ", port " + c.port()
                        + ", scope " + c.scope() + ", upstream " + c.upstream() + ", path prefix " + c.pathPrefix();
            }
            case token -> {
                TokenCommandConfig c = ConfigLoader.loadTokenCommand(env);
                yield "token configuration is valid: credential " + c.app().credential().configName() + ", scope " + c.scope();
            }
        };
    }

    /** Where Redis is and how the service signs in to it; never the password. */
    static String describe(RedisConfig r) {
        String where = r.topology() instanceof RedisConfig.Standalone s ? s.endpoint() + (s.database() == 0 ? "" : "/" + s.database())
                : r.topology() instanceof RedisConfig.Sentinel s ? "master " + s.masterName() + " through " + s.sentinels().size() + " Sentinels"
                : "cluster seeded by " + ((RedisConfig.Cluster) r.topology()).seeds().size() + " nodes";
        return "redis (" + where + (r.tls() ? ", TLS" : "") + ", " + (r.auth() == RedisConfig.Auth.ENTRA ? "Microsoft Entra authentication"
                : r.password().isPresent() ? "password" + r.username().map(u -> " of user " + u).orElse("") : "no password") + ")";
    }

    static void printProblems(PrintWriter err, InvalidConfigException e) {
        err.println("The configuration has " + e.problems().size() + " problem" + (e.problems().size() == 1 ? "" : "s") + ":");
        for (ConfigProblem p : e.problems()) {
            err.println("  - " + p);
        }
        err.flush();
    }
}
