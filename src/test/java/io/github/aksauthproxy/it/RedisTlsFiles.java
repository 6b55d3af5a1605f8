package io.github.aksauthproxy.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A test CA and a server certificate it signed for one DNS name (and no IP address, as Azure's Redis certificates
 * name only hosts), made with Debian's {@code openssl} in a temporary directory, and the redis-server options that
 * serve TLS with them on {@code tlsPort} while the plain port stays for the tests' own administration.
 */
public final class RedisTlsFiles {
    private final Path dir;

    private RedisTlsFiles(Path dir) {
        this.dir = dir;
    }

    /** A CA and a certificate for {@code dnsName} signed by it. */
    public static RedisTlsFiles forName(String dnsName) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("redis-tls-");
        Files.writeString(dir.resolve("san.ext"), "subjectAltName=DNS:" + dnsName + "\n");
        run(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
                "-days", "2", "-subj", "/CN=aks-auth-proxy test CA");
        run(dir, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "server.key", "-out", "server.csr",
                "-subj", "/CN=" + dnsName);
        run(dir, "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.crt",
                "-days", "2", "-extfile", "san.ext");
        return new RedisTlsFiles(dir);
    }

    private static void run(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(RequiredBinary.find("openssl", "openssl").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("openssl.log").toFile()).start();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("openssl " + String.join(" ", args) + " failed; see " + dir.resolve("openssl.log"));
        }
    }

    /** The CA certificate (PEM) that clients trust: {@code AKS_AUTH_PROXY_REDIS_CA_FILE}. */
    public Path caFile() {
        return dir.resolve("ca.crt");
    }

    /** redis-server options serving TLS on {@code tlsPort} (cluster bus and replication over TLS too). */
    public String[] serverArgs(int tlsPort) {
        return new String[] {"--tls-port", String.valueOf(tlsPort), "--tls-cert-file", dir.resolve("server.crt").toString(),
                "--tls-key-file", dir.resolve("server.key").toString(), "--tls-ca-cert-file", caFile().toString(),
                "--tls-auth-clients", "no", "--tls-cluster", "yes", "--tls-replication", "yes"};
    }
}
