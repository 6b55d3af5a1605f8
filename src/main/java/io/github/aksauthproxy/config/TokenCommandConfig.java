package io.github.aksauthproxy.config;

/** The configuration of the {@code token} command, built by {@link ConfigLoader#loadTokenCommand}. */
public record TokenCommandConfig(EntraApp app, String scope) {
}
