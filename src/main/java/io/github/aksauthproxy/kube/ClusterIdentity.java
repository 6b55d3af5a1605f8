package io.github.aksauthproxy.kube;

import java.util.List;

/** The user as the cluster authenticates them: Kubernetes user name and groups (SelfSubjectReview). */
public record ClusterIdentity(String username, List<String> groups) {
    public ClusterIdentity {
        groups = List.copyOf(groups);
    }
}
