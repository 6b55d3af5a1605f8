package io.github.aksauthproxy.config;

/** A configured secret value; {@link #toString()} never shows it. */
public record Secret(String value) {
    @Override
    public String toString() {
        return "Secret[redacted]";
    }
}
