package io.github.aksauthproxy.config;

import java.util.Optional;

/**
 * An AKS RBAC condition on a profile, checked with a SelfSubjectAccessReview made with the user's own AKS token:
 * "may this user {@code verb} {@code resource/subresource} {@code name} in {@code namespace}?".
 *
 * @param group API group; empty for the core group
 * @param allowOnError {@code on_error: allow}: let users in when the API server cannot answer (unreachable, timed out,
 *     5xx; default: 503); never when it refuses the user's token (401/403)
 */
public record RbacRequirement(String verb, String group, String resource, Optional<String> subresource,
        Optional<String> namespace, Optional<String> name, boolean allowOnError) {

    /** Like {@code get services/proxy grafana in monitoring}, for logs and the whoami page. */
    public String describe() {
        return verb + " " + (group.isEmpty() ? "" : group + "/") + resource + subresource.map(s -> "/" + s).orElse("")
                + name.map(n -> " " + n).orElse("") + namespace.map(n -> " in namespace " + n).orElse(" (cluster-wide)");
    }
}
