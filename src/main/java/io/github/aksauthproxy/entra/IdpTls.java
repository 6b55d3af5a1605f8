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
import java.net.Socket;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
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

    private static X509ExtendedTrustManager trustManager(KeyStore ks) throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509ExtendedTrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("no X509 trust manager");
    }

    /**
     * Trusts a server chain when either the extra CAs or the JVM's CAs do. It is an {@link X509ExtendedTrustManager}
     * and passes the socket or engine on, so the JDK's trust managers also check the server's host name whenever the
     * connection asks for it (endpoint identification). Netty, under Vert.x and Lettuce, wraps a plain
     * {@link X509TrustManager} in one that drops the engine, and with it the host name check.
     */
    private static final class EitherTrustManager extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager first;
        private final X509ExtendedTrustManager second;

        EitherTrustManager(X509ExtendedTrustManager first, X509ExtendedTrustManager second) {
            this.first = first;
            this.second = second;
        }

        /** A check by {@code first}; when it refuses, the same check by {@code second}. */
        private interface Check {
            void by(X509ExtendedTrustManager tm) throws CertificateException;
        }

        private void either(Check check) throws CertificateException {
            try {
                check.by(first);
            } catch (CertificateException e) {
                check.by(second);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            either(tm -> tm.checkServerTrusted(chain, authType));
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            either(tm -> tm.checkServerTrusted(chain, authType, socket));
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            either(tm -> tm.checkServerTrusted(chain, authType, engine));
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("client certificates are not accepted");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            throw new CertificateException("client certificates are not accepted");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            throw new CertificateException("client certificates are not accepted");
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
