package io.github.aksauthproxy.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * How to reach Redis when {@code AKS_AUTH_PROXY_SESSION_STORE=redis}: one of three topologies, TLS or not, and
 * how to authenticate. Built only by {@link RedisSettings}, which has checked every part.
 *
 * @param tls every connection (data nodes and Sentinels) uses TLS ({@code rediss://})
 * @param username the ACL user for {@link Auth#PASSWORD}; empty means the {@code default} user
 * @param password the password for {@link Auth#PASSWORD}; empty means no AUTH at all
 * @param caFile CA certificates trusted in addition to the JVM's
 */
public record RedisConfig(Topology topology, boolean tls, Optional<String> username, Optional<Secret> password,
                          Optional<Path> caFile, Auth auth) {

    /** How the service proves itself to Redis. */
    public enum Auth {
        /** An ACL user name (or none) and a password from the configuration. */
        PASSWORD,
        /** Microsoft Entra: the service's own app-only token as the password, its object id as the user name. */
        ENTRA
    }

    /** One host and port. */
    public record Endpoint(String host, int port) {
        @Override
        public String toString() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /** Where the data lives and how the client finds the node to talk to. */
    public sealed interface Topology permits Standalone, Sentinel, Cluster {
    }

    /** One server, or one proxy endpoint in front of many (Azure's Enterprise cluster policy). */
    public record Standalone(Endpoint endpoint, int database) implements Topology {
    }

    /** A master found through Sentinels, looked up again on every reconnect so a failover is followed. */
    public record Sentinel(List<Endpoint> sentinels, String masterName) implements Topology {
        public Sentinel {
            sentinels = List.copyOf(sentinels);
        }
    }

    /** A Redis Cluster, discovered from these seed nodes. */
    public record Cluster(List<Endpoint> seeds) implements Topology {
        public Cluster {
            seeds = List.copyOf(seeds);
        }
    }
}
