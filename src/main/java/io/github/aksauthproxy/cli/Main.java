package io.github.aksauthproxy.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The one jar's command line: {@code serve}, {@code sidecar}, {@code token}, {@code check-config}, {@code keygen}, {@code sessions}. */
@Command(name = "aks-auth-proxy", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Forward-auth for AKS ingress: Entra ID sign-in, encrypted cookie sessions, per-user AKS tokens.",
        subcommands = {ServeCommand.class, SidecarCommand.class, TokenCommand.class, CheckConfigCommand.class, KeygenCommand.class,
                SessionsCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new Main());
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }
}
