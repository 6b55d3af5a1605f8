package io.github.aksauthproxy.cli;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Prints a fresh cookie key for AKS_AUTH_PROXY_COOKIE_SECRETS. */
@Command(name = "keygen", description = "Print a new base64 32-byte cookie key for AKS_AUTH_PROXY_COOKIE_SECRETS.")
final class KeygenCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        spec.commandLine().getOut().println(Base64.getEncoder().encodeToString(key));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
