package io.github.aksauthproxy.cli;

import io.github.aksauthproxy.config.Config;
import io.github.aksauthproxy.config.ConfigLoader;
import io.github.aksauthproxy.config.InvalidConfigException;
import io.github.aksauthproxy.config.RedisConfig;
import io.github.aksauthproxy.entra.EntraAppTokens;
import io.github.aksauthproxy.entra.EntraCredentials;
import io.github.aksauthproxy.entra.IdpTls;
import io.github.aksauthproxy.entra.WorkloadIdentityAssertion;
import io.github.aksauthproxy.observe.Actor;
import io.github.aksauthproxy.observe.AuditLog;
import io.github.aksauthproxy.redis.RedisBackend;
import io.github.aksauthproxy.redis.RedisUnavailable;
import io.github.aksauthproxy.redis.SessionAdmin;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code sessions list|revoke}: the operator's view of the sessions in Redis, run with the settings of {@code serve}
 * ({@code kubectl exec} into a pod is enough). It shows who is signed in, since when, last seen and the profiles
 * used, never a token; a revocation ends the sessions on every replica within a second and is audited.
 */
@Command(name = "sessions", description = "List or end the sessions kept in Redis (AKS_AUTH_PROXY_SESSION_STORE=redis), "
        + "with the settings of serve.", subcommands = {SessionsCommand.ListSessions.class, SessionsCommand.Revoke.class})
public final class SessionsCommand implements Runnable {
    /** How long a command waits for Redis. */
    static final long WAIT_SECONDS = 30;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final Map<String, String> env;

    SessionsCommand() {
        this(System.getenv());
    }

    /** @param env the environment to read the settings of {@code serve} from */
    public SessionsCommand(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }

    /** Runs {@code work} against the configured Redis; prints configuration and Redis problems and returns 1 on them. */
    int withAdmin(CommandLine.Model.CommandSpec command, AdminWork work) {
        PrintWriter err = command.commandLine().getErr();
        Config config;
        try {
            config = ConfigLoader.load(env);
        } catch (InvalidConfigException e) {
            CheckConfigCommand.printProblems(err, e);
            return 1;
        }
        if (config.redis().isEmpty()) {
            err.println("sessions are kept in Redis only with AKS_AUTH_PROXY_SESSION_STORE=redis; with cookie sessions there is nothing "
                    + "to list or end here (a session ends with its idle timeout, or when AKS_AUTH_PROXY_COOKIE_SECRETS loses its key)");
            err.flush();
            return 1;
        }
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sessions-entra");
            t.setDaemon(true);
            return t;
        });
        try (RedisBackend redis = RedisBackend.create(config, config.redis().get(), Clock.systemUTC(), new SecureRandom(),
                scope -> appTokens(config, executor).acquire(scope))) {
            return work.run(redis.admin(), command.commandLine().getOut(), err);
        } catch (ExecutionException e) {
            err.println("Redis could not be used: " + RedisUnavailable.from(e.getCause()).getMessage());
        } catch (TimeoutException e) {
            err.println("Redis did not answer within " + WAIT_SECONDS + " seconds");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("interrupted");
        } finally {
            executor.shutdownNow();
        }
        err.flush();
        return 1;
    }

    private static EntraAppTokens appTokens(Config config, ExecutorService executor) {
        return new EntraAppTokens(config.entraApp(), EntraCredentials.of(config.entraApp(),
                new WorkloadIdentityAssertion(config.federatedTokenFile().orElse(Path.of("")), Clock.systemUTC())), executor,
                IdpTls.socketFactory(config.idpCaFile()));
    }

    static <T> T await(CompletionStage<T> stage) throws ExecutionException, TimeoutException, InterruptedException {
        return stage.toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /** What a subcommand does with the operator's view of Redis. */
    @FunctionalInterface
    interface AdminWork {
        int run(SessionAdmin admin, PrintWriter out, PrintWriter err) throws ExecutionException, TimeoutException, InterruptedException;
    }

    @Command(name = "list", description = "List the live sessions: sid_hash (as in the logs), user, object id, tenant, since, "
            + "last seen, expires, profiles with a token. Never a token.")
    static final class ListSessions implements Callable<Integer> {
        @ParentCommand
        SessionsCommand parent;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--user", paramLabel = "<upn or object id>", description = "only this user's sessions")
        String user;

        @Override
        public Integer call() {
            return parent.withAdmin(spec, (admin, out, err) -> {
                List<SessionAdmin.Summary> sessions = await(admin.list(Optional.ofNullable(user)));
                out.printf("%-16s  %-32s  %-36s  %-20s  %-20s  %-20s  %s%n", "SID_HASH", "USER", "OBJECT_ID", "SINCE", "LAST_SEEN",
                        "EXPIRES", "PROFILES");
                for (SessionAdmin.Summary s : sessions) {
                    out.printf("%-16s  %-32s  %-36s  %-20s  %-20s  %-20s  %s%n", s.sidHash(), s.user(), s.oid(), s.createdAt(), s.lastSeen(),
                            s.expiresAt(), s.profiles().isEmpty() ? "-" : String.join(",", s.profiles()));
                }
                out.println(sessions.size() + " session" + (sessions.size() == 1 ? "" : "s"));
                out.flush();
                return 0;
            });
        }
    }

    @Command(name = "revoke", description = "End sessions on every replica (their cookies get 401 within a second); audited.")
    static final class Revoke implements Callable<Integer> {
        @ParentCommand
        SessionsCommand parent;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.ArgGroup(exclusive = true, multiplicity = "1")
        Which which;

        /** Exactly one of the two. */
        static final class Which {
            @Option(names = "--user", paramLabel = "<upn or object id>", description = "every session of this user")
            String user;
            @Option(names = "--session", paramLabel = "<sid_hash>", description = "the session with this sid_hash (from the logs or list)")
            String session;
        }

        @Override
        public Integer call() {
            return parent.withAdmin(spec, (admin, out, err) -> {
                List<SessionAdmin.Summary> ended = await(which.user != null ? admin.revokeUser(which.user) : admin.revokeSession(which.session));
                AuditLog audit = new AuditLog();
                for (SessionAdmin.Summary s : ended) {
                    audit.sessionRevoked(new Actor(s.user(), s.tenant(), s.sidHash()), "operator",
                            which.user != null ? "revoke_user" : "revoke_session");
                    out.println("ended " + s.sidHash() + " " + s.user());
                }
                out.println(ended.size() + " session" + (ended.size() == 1 ? "" : "s") + " ended");
                out.flush();
                return ended.isEmpty() ? 2 : 0;
            });
        }
    }
}
