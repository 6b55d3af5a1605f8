package io.github.aksauthproxy.oidc;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.Resource;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLSocketFactory;

/**
 * The tenant's discovery document and signing keys, fetched lazily and kept. Every method here blocks on the
 * network: call it from a worker, never from the event loop.
 */
public final class OidcProvider {
    private final URI discoveryUrl;
    private final DefaultResourceRetriever retriever;
    private final AtomicReference<Loaded> loaded = new AtomicReference<>();

    /** Discovery document plus the key source built from its jwks_uri. */
    record Loaded(ProviderMetadata metadata, JWKSource<SecurityContext> keys) {
    }

    public OidcProvider(URI discoveryUrl, Optional<SSLSocketFactory> tls) {
        this.discoveryUrl = discoveryUrl;
        this.retriever = new DefaultResourceRetriever(5_000, 10_000, 512 * 1024, true, tls.orElse(null));
    }

    /** The metadata, fetching it on first use. */
    public ProviderMetadata metadata() throws OidcUnavailableException {
        return load().metadata();
    }

    /** The metadata if it was fetched already; never blocks. */
    public Optional<ProviderMetadata> cached() {
        return Optional.ofNullable(loaded.get()).map(Loaded::metadata);
    }

    JWKSource<SecurityContext> keys() throws OidcUnavailableException {
        return load().keys();
    }

    /** Fetches discovery (once) and the key set (cached by the key source); empty when both are usable. */
    public Optional<String> problem() {
        try {
            Loaded l = load();
            if (l.keys().get(new JWKSelector(new JWKMatcher.Builder().build()), null).isEmpty()) {
                return Optional.of("the identity provider's key set at " + l.metadata().jwksUri() + " holds no keys");
            }
            return Optional.empty();
        } catch (OidcUnavailableException e) {
            return Optional.of(e.getMessage());
        } catch (KeySourceException e) {
            return Optional.of("the identity provider's keys cannot be fetched from " + load0JwksUri() + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    private String load0JwksUri() {
        Loaded l = loaded.get();
        return l == null ? "?" : l.metadata().jwksUri().toString();
    }

    private Loaded load() throws OidcUnavailableException {
        Loaded current = loaded.get();
        if (current != null) {
            return current;
        }
        Resource resource;
        try {
            resource = retriever.retrieveResource(discoveryUrl.toURL());
        } catch (IOException e) {
            throw new OidcUnavailableException("the discovery document at " + discoveryUrl + " cannot be fetched ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
        try {
            JsonObject doc = new JsonObject(resource.getContent());
            String issuer = doc.getString("issuer");
            String jwks = doc.getString("jwks_uri");
            if (issuer == null || jwks == null) {
                throw new OidcUnavailableException("the discovery document at " + discoveryUrl + " lacks issuer or jwks_uri");
            }
            Optional<URI> endSession = Optional.ofNullable(doc.getString("end_session_endpoint")).map(URI::create);
            URI jwksUri = new URI(jwks);
            JWKSource<SecurityContext> keys = JWKSourceBuilder.<SecurityContext>create(jwksUri.toURL(), retriever)
                    .cache(24 * 3600_000L, 15_000L)
                    .refreshAheadCache(true)
                    .rateLimited(30_000L)
                    .retrying(true)
                    .outageTolerant(24 * 3600_000L)
                    .build();
            Loaded fresh = new Loaded(new ProviderMetadata(issuer, jwksUri, endSession), keys);
            loaded.compareAndSet(null, fresh);
            return loaded.get();
        } catch (DecodeException | ClassCastException | IllegalArgumentException | URISyntaxException | IOException e) {
            throw new OidcUnavailableException("the discovery document at " + discoveryUrl + " is not valid ("
                    + e.getClass().getSimpleName() + ")");
        }
    }
}
