package io.github.aksauthproxy.kube;

/** The API server's answer to a SelfSubjectAccessReview; {@code reason} is the authorizer's text, often empty. */
public record AccessReview(boolean allowed, String reason) {
}
