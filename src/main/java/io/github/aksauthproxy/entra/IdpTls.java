package io.github.aksauthproxy.entra;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * TLS trust for connections to the identity provider (the JVM's CAs, plus those of AKS_AUTH_PROXY_IDP_CA_FILE) and,
 * the same way, to the sidecar's upstream.
 */
public final class IdpTls {
    private IdpTls() {
    }

    /** The socket factory to use, or empty for the JVM default. */
    public static Optional<SSLSocketFactory> socketFactory(Optional<Path> caFile) {
        if (caFile.isEmpty()) {
            return Optional.empty();
        }
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {trustManager(caFile.get(), "AKS_AUTH_PROXY_IDP_CA_FILE")}, null);
            return Optional.of(ctx.getSocketFactory());
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("no TLS context: " + e.getMessage(), e);
        }
    }

    /**
     * Trusts a server when the JVM's CAs or those in the PEM file do; {@code setting} names the file's variable in
     * the error when it holds no usable certificate.
     */
    public static X509TrustManager trustManager(Path caFile, String setting) {
        try {
            return new EitherTrustManager(trustManager(load(caFile)), trustManager(null));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException(setting + " '" + caFile + "' holds no usable PEM certificate: " + e.getMessage(), e);
        }
    }

    private static KeyStore load(Path pem) throws IOException, GeneralSecurityException {
        Collection<? extends Certificate> certs;
        try (InputStream in = Files.newInputStream(pem)) {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
        if (certs.isEmpty()) {
            throw new CertificateException("no certificate found");
        }
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        int i = 0;
        for (Certificate c : certs) {
            ks.setCertificateEntry("ca-" + i++, c);
        }
        return ks;
    }

    private static X509TrustManager trustManager(KeyStore ks) throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("no X509 trust manager");
    }

    /** Trusts a server chain when either the extra CAs or the JVM's CAs do. */
    private record EitherTrustManager(X509TrustManager first, X509TrustManager second) implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("client certificates are not accepted");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            try {
                first.checkServerTrusted(chain, authType);
            } catch (CertificateException e) {
                second.checkServerTrusted(chain, authType);
            }
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            X509Certificate[] a = first.getAcceptedIssuers();
            X509Certificate[] b = second.getAcceptedIssuers();
            X509Certificate[] all = java.util.Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, all, a.length, b.length);
            return all;
        }
    }
}
