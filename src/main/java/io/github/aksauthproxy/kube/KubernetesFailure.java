package io.github.aksauthproxy.kube;

/** A review call the API server did not answer with a review; {@link #kind()} says whether it could not or would not. */
public final class KubernetesFailure extends RuntimeException {
    public enum Kind {
        /** Not reached, timed out, or a 5xx: the API server cannot answer now. Only this may pass with {@code on_error: allow}. */
        UNREACHABLE,
        /** 401 or 403 to the review itself: the API server does not accept the user's AKS token, which is a no. */
        TOKEN_REFUSED,
        /** Any other answer (another status, or a body that is no review): something is misconfigured; fail closed. */
        UNEXPECTED_ANSWER
    }

    private final Kind kind;

    public KubernetesFailure(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
