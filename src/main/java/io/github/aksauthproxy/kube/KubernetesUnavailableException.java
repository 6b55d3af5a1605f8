package io.github.aksauthproxy.kube;

/** The API server could not answer a review: unreachable, timed out, refused the token, or answered nonsense. */
public final class KubernetesUnavailableException extends RuntimeException {
    public KubernetesUnavailableException(String message) {
        super(message, null, false, false);
    }
}
