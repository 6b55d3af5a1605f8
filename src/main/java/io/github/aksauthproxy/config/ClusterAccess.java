package io.github.aksauthproxy.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Where the Kubernetes API server is and how long access decisions are kept.
 *
 * @param apiUrl the API server; empty when the service runs outside a cluster and none is configured
 * @param caFile the API server's CA; empty means the JVM's trust store
 * @param decisionTtl how long a profile's RBAC decision for a session is reused
 */
public record ClusterAccess(Optional<URI> apiUrl, Optional<Path> caFile, Duration decisionTtl) {
    /** The service account's CA, mounted into every pod. */
    public static final Path IN_CLUSTER_CA = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/ca.crt");
}
