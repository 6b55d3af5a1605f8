package io.github.aksauthproxy.config;

/** One thing wrong with the configuration: where it is and what to do about it. */
public record ConfigProblem(String source, String problem) {
    @Override
    public String toString() {
        return source + ": " + problem;
    }
}
