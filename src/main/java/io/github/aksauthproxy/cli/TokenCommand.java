package io.github.aksauthproxy.cli;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import io.github.aksauthproxy.config.ConfigLoader;
import io.github.aksauthproxy.config.InvalidConfigException;
import io.github.aksauthproxy.config.TokenCommandConfig;
import io.github.aksauthproxy.entra.AadstsExplanations;
import io.github.aksauthproxy.entra.AccessToken;
import io.github.aksauthproxy.entra.EntraAppTokens;
import io.github.aksauthproxy.entra.EntraCredentials;
import io.github.aksauthproxy.entra.IdpFailure;
import io.github.aksauthproxy.entra.IdpTls;
import io.github.aksauthproxy.entra.WorkloadIdentityAssertion;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Exchanges the federated token (or managed identity token) for an app-only access token, like kubelogin's
 * workload-identity mode, to check that the identity is wired right. Prints the expiry, the start of the token
 * (never all of it) and its non-secret claims; on failure explains the AADSTS code and exits 1.
 */
@Command(name = "token", description = "Get an app-only token with the configured credential (like kubelogin's workload-identity "
        + "mode) and show its expiry and claims; explains AADSTS errors.")
final class TokenCommand implements Callable<Integer> {
    /** Shown of the token: part of its JOSE header, which is not secret. */
    static final int PREVIEW_CHARACTERS = 16;

    enum Output { text, json }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--output", defaultValue = "text", description = "text or json (default: ${DEFAULT-VALUE})")
    Output output;

    private final Map<String, String> env;
    private final Clock clock;

    TokenCommand() {
        this(System.getenv(), Clock.systemUTC());
    }

    TokenCommand(Map<String, String> env, Clock clock) {
        this.env = env;
        this.clock = clock;
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        TokenCommandConfig config;
        try {
            config = ConfigLoader.loadTokenCommand(env);
        } catch (InvalidConfigException e) {
            CheckConfigCommand.printProblems(err, e);
            return 1;
        }
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "token-entra");
            t.setDaemon(true);
            return t;
        });
        try {
            WorkloadIdentityAssertion assertion = new WorkloadIdentityAssertion(config.app().federatedTokenFile().orElse(Path.of("")), clock);
            EntraAppTokens tokens = new EntraAppTokens(config.app(), EntraCredentials.of(config.app(), assertion), executor,
                    IdpTls.socketFactory(config.app().idpCaFile()));
            AccessToken token = tokens.acquire(config.scope()).get(60, TimeUnit.SECONDS);
            if (output == Output.json) {
                out.println(json(config.scope(), token).encodePrettily());
            } else {
                printText(out, config.scope(), token);
            }
            out.flush();
            return 0;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IdpFailure f) {
                printFailure(err, config, f);
            } else {
                err.println("no token for scope " + config.scope() + ": " + cause);
            }
        } catch (TimeoutException e) {
            err.println("no token for scope " + config.scope() + ": Entra did not answer within 60 seconds");
        } catch (IllegalArgumentException e) {
            err.println("no token for scope " + config.scope() + ": " + e.getMessage());
        } finally {
            executor.shutdownNow();
        }
        err.flush();
        return 1;
    }

    private void printFailure(PrintWriter err, TokenCommandConfig config, IdpFailure f) {
        err.println("no token for scope " + config.scope() + " (client " + config.app().clientId() + ", tenant "
                + config.app().tenantId() + ", credential " + config.app().credential().configName() + "): " + f.getMessage());
        if (f.aadsts().isPresent()) {
            String code = f.aadsts().get();
            err.println("  " + code + ": " + AadstsExplanations.explain(code).orElse("not one this tool explains; look it up at "
                    + "https://login.microsoftonline.com/error?code=" + code.substring("AADSTS".length())));
        } else if (f.kind() == IdpFailure.Kind.UNAVAILABLE) {
            err.println("  check that " + config.app().authority() + " is reachable from here and that the assertion "
                    + "(AZURE_FEDERATED_TOKEN_FILE or the managed identity endpoint) can be read");
        }
    }

    private void printText(PrintWriter out, String scope, AccessToken token) {
        Duration left = Duration.between(clock.instant(), token.expiresOn());
        out.println("scope:   " + scope);
        out.println("expires: " + token.expiresOn() + " (in " + left.toMinutes() + "m" + left.toSecondsPart() + "s)");
        out.println("token:   " + preview(token.value()) + " (" + token.value().length() + " characters, truncated)");
        Optional<Map<String, Object>> claims = claims(token.value());
        if (claims.isEmpty()) {
            out.println("claims:  none readable (not a JWT)");
            return;
        }
        claims.get().forEach((k, v) -> out.println(String.format("%-8s %s", k + ":", v)));
    }

    private JsonObject json(String scope, AccessToken token) {
        JsonObject o = new JsonObject()
                .put("scope", scope)
                .put("expires_on", token.expiresOn().toString())
                .put("expires_in", Duration.between(clock.instant(), token.expiresOn()).toSeconds())
                .put("token", new JsonObject().put("preview", preview(token.value())).put("length", token.value().length()));
        claims(token.value()).ifPresent(c -> o.put("claims", new JsonObject(c)));
        return o;
    }

    /** The start of the token; for a JWT never past its header. */
    static String preview(String token) {
        int dot = token.indexOf('.');
        int n = Math.min(PREVIEW_CHARACTERS, dot > 0 ? dot : token.length() / 4);
        return token.substring(0, n) + "...";
    }

    /** The claims worth seeing when checking the wiring; no signature check, this only displays them. */
    private static Optional<Map<String, Object>> claims(String token) {
        JWTClaimsSet set;
        try {
            set = JWTParser.parse(token).getJWTClaimsSet();
        } catch (ParseException e) {
            return Optional.empty();
        }
        Map<String, Object> shown = new LinkedHashMap<>();
        Object aud = set.getAudience().size() == 1 ? set.getAudience().get(0) : set.getAudience();
        shown.put("aud", aud);
        shown.put("iss", set.getIssuer());
        for (String name : new String[] {"appid", "azp", "tid", "oid"}) {
            Object v = set.getClaim(name);
            if (v != null) {
                shown.put(name, v);
            }
        }
        shown.put("exp", set.getExpirationTime() == null ? null : set.getExpirationTime().toInstant().getEpochSecond());
        return Optional.of(shown);
    }
}
