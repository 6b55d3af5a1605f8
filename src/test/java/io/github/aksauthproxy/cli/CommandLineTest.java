package io.github.aksauthproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.aksauthproxy.config.ConfigLoaderTest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CommandLineTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(Object command, String... args) {
        CommandLine cl = new CommandLine(command);
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    @Test
    void keygenPrintsAFreshBase64KeyOf32Bytes() {
        assertThat(run(new Main(), "keygen")).isZero();
        String first = out.toString().trim();
        assertThat(Base64.getDecoder().decode(first)).hasSize(32);
        out.getBuffer().setLength(0);
        run(new Main(), "keygen");
        assertThat(out.toString().trim()).isNotEqualTo(first);
    }

    @Test
    void checkConfigPrintsEveryProblemAndExitsOne() {
        assertThat(run(new CheckConfigCommand(Map.of("AKS_AUTH_PROXY_PUBLIC_PORT", "x")))).isEqualTo(1);
        assertThat(err.toString()).startsWith("The configuration has 6 problems:")
                .contains("  - AZURE_CLIENT_ID: is required").contains("  - AKS_AUTH_PROXY_PUBLIC_PORT: 'x' is not a whole number");
    }

    @Test
    void checkConfigAcceptsAValidConfiguration() {
        assertThat(run(new CheckConfigCommand(ConfigLoaderTest.minimal()))).isZero();
        assertThat(out.toString()).startsWith("configuration is valid: credential workload-identity, public port 4180, internal port 4181");
    }

    @Test
    void checkConfigNamesTheTokenCacheBoundAndRefusesABadOne() {
        Map<String, String> env = new java.util.HashMap<>(ConfigLoaderTest.minimal());
        env.put("AKS_AUTH_PROXY_TOKEN_CACHE_MAX_BYTES", "64m");
        assertThat(run(new CheckConfigCommand(env))).isZero();
        assertThat(out.toString()).contains(", profiles aks, token cache up to 64 MiB of a " + (Runtime.getRuntime().maxMemory() >> 20)
                + " MiB heap, ");
        env.put("AKS_AUTH_PROXY_TOKEN_CACHE_MAX_BYTES", "lots");
        assertThat(run(new CheckConfigCommand(env))).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("The configuration has 1 problem:\n"
                + "  - AKS_AUTH_PROXY_TOKEN_CACHE_MAX_BYTES: 'lots' is not a size; write bytes (67108864) or 64m, 512Mi, 1g\n");
    }

    @Test
    void checkConfigNamesTheGraphUsersInGroupOverageAreResolvedWith() {
        assertThat(run(new CheckConfigCommand(ConfigLoaderTest.minimal()))).isZero();
        assertThat(out.toString().trim()).endsWith(", groups of users in group overage from Microsoft Graph https://graph.microsoft.com "
                + "(https://graph.microsoft.com/User.Read), session store cookie");
        out.getBuffer().setLength(0);
        Map<String, String> otherCloud = ConfigLoaderTest.minimal();
        otherCloud.put("AZURE_AUTHORITY_HOST", "https://login.example.com/");
        assertThat(run(new CheckConfigCommand(otherCloud))).isZero();
        assertThat(out.toString().trim()).endsWith(", groups of users in group overage from nowhere: the authority host is no known "
                + "Microsoft cloud, so such users get 503 on profiles with allow.groups, session store cookie");
    }

    @Test
    void checkConfigListsRedisProblemsWithTheOthers() {
        Map<String, String> env = new java.util.HashMap<>(ConfigLoaderTest.minimal());
        env.put("AKS_AUTH_PROXY_SESSION_STORE", "redis");
        env.put("AKS_AUTH_PROXY_PUBLIC_PORT", "x");

        assertThat(run(new CheckConfigCommand(env))).isEqualTo(1);
        assertThat(err.toString()).startsWith("The configuration has 2 problems:")
                .contains("  - AKS_AUTH_PROXY_PUBLIC_PORT: 'x' is not a whole number")
                .contains("  - AKS_AUTH_PROXY_REDIS_URL: none of AKS_AUTH_PROXY_REDIS_URL, AKS_AUTH_PROXY_REDIS_SENTINELS and "
                        + "AKS_AUTH_PROXY_REDIS_CLUSTER_NODES is set; with AKS_AUTH_PROXY_SESSION_STORE=redis set exactly one");
    }

    @Test
    void checkConfigNamesTheRedisStoreWithoutItsPassword() {
        Map<String, String> env = new java.util.HashMap<>(ConfigLoaderTest.minimal());
        env.put("AKS_AUTH_PROXY_SESSION_STORE", "redis");
        env.put("AKS_AUTH_PROXY_REDIS_SENTINELS", "redis-0:26379,redis-1:26379,redis-2:26379");
        env.put("AKS_AUTH_PROXY_REDIS_MASTER_NAME", "mymaster");
        env.put("AKS_AUTH_PROXY_REDIS_USERNAME", "aks-auth-proxy");
        env.put("AKS_AUTH_PROXY_REDIS_PASSWORD", "s3cret-redis-password");

        assertThat(run(new CheckConfigCommand(env))).isZero();
        assertThat(out.toString()).endsWith(", session store redis (master mymaster through 3 Sentinels, password of user aks-auth-proxy)\n")
                .doesNotContain("s3cret");
    }

    @Test
    void sessionsCommandsNeedTheRedisStore() {
        assertThat(run(new SessionsCommand(ConfigLoaderTest.minimal()), "list")).isEqualTo(1);
        assertThat(err.toString()).startsWith("sessions are kept in Redis only with AKS_AUTH_PROXY_SESSION_STORE=redis");
    }

    @Test
    void sessionsRevokeNeedsExactlyOneOfUserAndSession() {
        assertThat(run(new SessionsCommand(ConfigLoaderTest.minimal()), "revoke")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required argument (specify one of these): (--user=<upn or object id> | --session=<sid_hash>)");
    }

    @Test
    void checkConfigRefusesDuplicateKeysAndAnAllowThatListsNobody(@TempDir Path dir) throws Exception {
        Path profiles = dir.resolve("profiles.yaml");
        Files.writeString(profiles, """
                profiles:
                  - name: grafana
                    scopes: [x/.default]
                    allow: {groups: [aaaaaaaa-0000-0000-0000-000000000001]}
                    allow: {}
                  - {name: monitor, scopes: [x/.default], allow: {groups: []}}
                """);
        Map<String, String> env = ConfigLoaderTest.minimal();
        env.put("AKS_AUTH_PROXY_CONFIG", profiles.toString());
        assertThat(run(new CheckConfigCommand(env))).isEqualTo(1);
        assertThat(err.toString()).startsWith("The configuration has 3 problems:")
                .contains("  - " + profiles + ": profiles[0]: 'allow' is given twice (lines 4 and 5) in profile 'grafana'")
                .contains("  - " + profiles + ": profiles[0]: allow: 'allow' of profile 'grafana' lists no tenant, group or user")
                .contains("  - " + profiles + ": profiles[1]: allow: 'allow' of profile 'monitor' lists no tenant, group or user");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void checkConfigReportsCookieSecretsThatHoldNoKey() {
        Map<String, String> env = ConfigLoaderTest.minimal();
        for (String noKey : new String[] {",", " , ", ",,"}) {
            env.put("AKS_AUTH_PROXY_COOKIE_SECRETS", noKey);
            err.getBuffer().setLength(0);
            assertThat(run(new CheckConfigCommand(env))).as("'%s'", noKey).isEqualTo(1);
            assertThat(err.toString()).as("'%s'", noKey).isEqualTo(("The configuration has 1 problem:%n  - AKS_AUTH_PROXY_COOKIE_SECRETS: "
                    + "holds no key; set one or more comma-separated keys made with `aks-auth-proxy keygen`%n").formatted());
        }
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void unknownCommandIsAUsageError() {
        assertThat(run(new Main(), "serv")).isEqualTo(2);
        assertThat(err.toString()).contains("Unmatched argument").contains("serve");
    }

    @Test
    void checkConfigReportsAShortenedAddressRange() {
        Map<String, String> env = new java.util.HashMap<>(ConfigLoaderTest.minimal());
        env.put("AKS_AUTH_PROXY_TRUSTED_PROXIES", "10.244/16");
        assertThat(run(new CheckConfigCommand(env))).isEqualTo(1);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString()).startsWith("The configuration has 1 problem")
                .contains("  - AKS_AUTH_PROXY_TRUSTED_PROXIES: '10.244/16' is not an address range");
    }

    /**
     * An entry shaped like an address but not one ({@code 1.2.3.4.5}) is never handed to a resolver: this JVM's
     * resolver is a hosts file that would answer for it, and check-config still reports it.
     */
    @Test
    void addressRangesAreReadWithoutAnyResolver(@TempDir Path dir) throws Exception {
        Path hosts = Files.writeString(dir.resolve("hosts"), "10.244.0.9 1.2.3.4.5\n10.244.0.10 999.1.1.1\n");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Djdk.net.hosts.file=" + hosts, "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "check-config");
        pb.environment().clear();
        pb.environment().putAll(ConfigLoaderTest.minimal());
        pb.environment().put("AKS_AUTH_PROXY_TRUSTED_PROXIES", "1.2.3.4.5,999.1.1.1");
        pb.redirectOutput(dir.resolve("stdout").toFile()).redirectError(dir.resolve("stderr").toFile());
        Process process = pb.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String stdout = Files.readString(dir.resolve("stdout"));
        String stderr = Files.readString(dir.resolve("stderr"));
        assertThat(process.exitValue()).as(stdout + stderr).isEqualTo(1);
        assertThat(stderr).contains("  - AKS_AUTH_PROXY_TRUSTED_PROXIES: '1.2.3.4.5' is not an address range")
                .contains("  - AKS_AUTH_PROXY_TRUSTED_PROXIES: '999.1.1.1' is not an address range");
    }
}
