package io.github.aksauthproxy.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The configuration of the {@code sidecar} command, built by {@link ConfigLoader#loadSidecar}.
 *
 * @param upstream   the https origin (and optional base path, without a trailing slash) requests go to
 * @param pathPrefix request paths under this prefix are proxied; it always starts with {@code /}
 */
public record SidecarConfig(
        EntraApp app,
        String scope,
        URI upstream,
        Optional<Path> upstreamCaFile,
        String pathPrefix,
        String listenAddress,
        int port) {
}
