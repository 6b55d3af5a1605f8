package io.github.aksauthproxy.redis;

import io.github.aksauthproxy.config.RedisConfig;
import io.github.aksauthproxy.entra.IdpTls;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCredentialsProvider;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.netty.handler.ssl.util.SimpleTrustManagerFactory;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/** Turns a {@link RedisConfig} into a Lettuce client: addresses, TLS, credentials, timeouts and reconnect policy. */
final class LettuceClients {
    /**
     * Reconnect quickly after a blip or failover, and keep trying every 500 ms while Redis is away: the fault harness
     * saw a 2 s cap reconnect 2 s after Sentinel had already promoted the replica (recovery 5.4 s after the kill, the
     * new master named at 3.3 s). Each try is a Sentinel lookup and one connection, bounded by the connect timeout.
     */
    private static final Delay RECONNECT = Delay.exponential(Duration.ofMillis(50), Duration.ofMillis(500), 2, TimeUnit.MILLISECONDS);
    /** A cluster's topology is re-read this often, and at once on MOVED/ASK redirects and failed reconnects. */
    private static final Duration TOPOLOGY_REFRESH = Duration.ofSeconds(30);

    private LettuceClients() {
    }

    static ClientResources resources() {
        return DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2).reconnectDelay(RECONNECT).build();
    }

    /** A client not yet connected, and for a {@link RedisClient} the URI to connect to (null for a cluster). */
    record Built(AbstractRedisClient client, RedisURI uri) {
    }

    /** A {@link RedisClient} (standalone or Sentinel) or a {@link RedisClusterClient}, not yet connected. */
    static Built client(ClientResources resources, RedisConfig config, RedisCredentialsProvider credentials,
                                      Redis.Timeouts timeouts) {
        boolean reauthenticate = config.auth() == RedisConfig.Auth.ENTRA;
        SocketOptions socket = SocketOptions.builder().connectTimeout(timeouts.connect()).keepAlive(true).build();
        TimeoutOptions timeout = TimeoutOptions.enabled(timeouts.command());
        if (config.topology() instanceof RedisConfig.Cluster cluster) {
            RedisClusterClient client = RedisClusterClient.create(resources,
                    cluster.seeds().stream().map(e -> node(e, config, credentials, timeouts)).toList());
            // Node connections open on first use, and REJECT_COMMANDS would refuse a command to a node not yet
            // connected; so a cluster command waits for its node, at most the command timeout.
            ClusterClientOptions.Builder o = ClusterClientOptions.builder().autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
                    .socketOptions(socket).timeoutOptions(timeout)
                    .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder().enablePeriodicRefresh(TOPOLOGY_REFRESH)
                            .enableAllAdaptiveRefreshTriggers().build());
            if (reauthenticate) {
                // Re-AUTH of a pub/sub connection needs RESP3; every Redis that speaks Entra does.
                o.reauthenticateBehavior(ClientOptions.ReauthenticateBehavior.ON_NEW_CREDENTIALS).protocolVersion(ProtocolVersion.RESP3);
            }
            ssl(config).ifPresent(o::sslOptions);
            client.setOptions(o.build());
            return new Built(client, null);
        }
        RedisURI uri;
        if (config.topology() instanceof RedisConfig.Sentinel sentinel) {
            RedisURI.Builder b = RedisURI.builder().withSentinelMasterId(sentinel.masterName()).withSsl(config.tls())
                    .withTimeout(timeouts.command());
            // The Sentinels are asked with the same credentials as the master (the usual chart set-up).
            sentinel.sentinels().forEach(s -> b.withSentinel(node(s, config, credentials, timeouts)));
            uri = b.build();
            authenticate(uri, credentials);
        } else {
            RedisConfig.Standalone standalone = (RedisConfig.Standalone) config.topology();
            uri = node(standalone.endpoint(), config, credentials, timeouts);
            uri.setDatabase(standalone.database());
        }
        RedisClient client = RedisClient.create(resources, uri);
        ClientOptions.Builder o = ClientOptions.builder().autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(socket).timeoutOptions(timeout);
        if (reauthenticate) {
            o.reauthenticateBehavior(ClientOptions.ReauthenticateBehavior.ON_NEW_CREDENTIALS).protocolVersion(ProtocolVersion.RESP3);
        }
        ssl(config).ifPresent(o::sslOptions);
        client.setOptions(o.build());
        return new Built(client, uri);
    }

    private static RedisURI node(RedisConfig.Endpoint e, RedisConfig config, RedisCredentialsProvider credentials, Redis.Timeouts timeouts) {
        RedisURI uri = RedisURI.builder().withHost(e.host()).withPort(e.port()).withSsl(config.tls()).withTimeout(timeouts.command()).build();
        authenticate(uri, credentials);
        return uri;
    }

    private static void authenticate(RedisURI uri, RedisCredentialsProvider credentials) {
        if (credentials != null) {
            uri.setCredentialsProvider(credentials);
        }
    }

    /** Credentials from the configuration for {@code password} mode; null when there is no password (no AUTH). */
    static RedisCredentialsProvider passwordCredentials(RedisConfig config) {
        return config.password().map(p -> (RedisCredentialsProvider) () -> reactor.core.publisher.Mono.just(
                io.lettuce.core.RedisCredentials.just(config.username().orElse(null), p.value()))).orElse(null);
    }

    private static java.util.Optional<SslOptions> ssl(RedisConfig config) {
        java.util.Optional<String> clusterHost = clusterHostName(config);
        if (config.caFile().isEmpty() && clusterHost.isEmpty()) {
            return java.util.Optional.empty();
        }
        SslOptions.Builder b = SslOptions.builder();
        config.caFile().ifPresent(ca -> b.trustManager(new EitherTrustFactory(IdpTls.trustManager(ca, "AKS_AUTH_PROXY_REDIS_CA_FILE"))));
        clusterHost.ifPresent(host -> b.sslParameters(() -> {
            SSLParameters p = new SSLParameters();
            p.setServerNames(List.of(new SNIHostName(host)));
            return p;
        }));
        return java.util.Optional.of(b.build());
    }

    /**
     * The one host name every seed of a TLS cluster has. A cluster announces its nodes by IP address (Azure Managed
     * Redis's OSS cluster policy does), and the certificate names only the host: so every connection, to whichever
     * node, sends this name (SNI) and the certificate is checked against it. Empty for other topologies, without TLS,
     * and when the seeds are IP addresses or have different names (each node's certificate must then match how it is
     * announced).
     */
    static java.util.Optional<String> clusterHostName(RedisConfig config) {
        if (!config.tls() || !(config.topology() instanceof RedisConfig.Cluster cluster)) {
            return java.util.Optional.empty();
        }
        List<String> hosts = cluster.seeds().stream().map(RedisConfig.Endpoint::host).distinct().toList();
        return hosts.size() == 1 && !isAddressLiteral(hosts.get(0)) ? java.util.Optional.of(hosts.get(0)) : java.util.Optional.empty();
    }

    private static boolean isAddressLiteral(String host) {
        return host.contains(":") || host.chars().allMatch(c -> c == '.' || Character.isDigit(c));
    }

    /** Netty wants a factory; this one hands out the JVM's CAs plus the configured file's (as for the identity provider). */
    private static final class EitherTrustFactory extends SimpleTrustManagerFactory {
        private final X509TrustManager trust;

        EitherTrustFactory(X509TrustManager trust) {
            this.trust = trust;
        }

        @Override
        protected void engineInit(KeyStore keyStore) {
        }

        @Override
        protected void engineInit(ManagerFactoryParameters params) {
        }

        @Override
        protected TrustManager[] engineGetTrustManagers() {
            return List.of(trust).toArray(new TrustManager[0]);
        }
    }
}
