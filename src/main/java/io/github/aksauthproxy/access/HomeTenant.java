package io.github.aksauthproxy.access;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The id of the configured tenant ({@code AZURE_TENANT_ID}): only its users' UPNs may match an address or domain
 * rule, because only its administrators decide them. When {@code AZURE_TENANT_ID} is a domain name, the id is the
 * tenant GUID in the discovered issuer ({@code https://login.microsoftonline.com/<tenant id>/v2.0}).
 */
public final class HomeTenant {
    private static final Pattern GUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private final Optional<String> configured;
    private final Supplier<Optional<String>> discoveredIssuer;

    /** @param discoveredIssuer the issuer of the discovery document once it was fetched; must not block */
    public HomeTenant(String configuredTenant, Supplier<Optional<String>> discoveredIssuer) {
        String lower = configuredTenant.toLowerCase(Locale.ROOT);
        this.configured = GUID.matcher(lower).matches() ? Optional.of(lower) : Optional.empty();
        this.discoveredIssuer = discoveredIssuer;
    }

    /** The tenant id, lower case; empty only while it is named by domain and discovery was not fetched yet. */
    Optional<String> id() {
        return configured.isPresent() ? configured : discoveredIssuer.get().flatMap(HomeTenant::tenantIn);
    }

    private static Optional<String> tenantIn(String issuer) {
        try {
            String path = URI.create(issuer).getPath();
            for (String segment : path == null ? new String[0] : path.split("/")) {
                if (GUID.matcher(segment.toLowerCase(Locale.ROOT)).matches()) {
                    return Optional.of(segment.toLowerCase(Locale.ROOT));
                }
            }
        } catch (IllegalArgumentException notAUri) {
            // no id to be had from it
        }
        return Optional.empty();
    }
}
