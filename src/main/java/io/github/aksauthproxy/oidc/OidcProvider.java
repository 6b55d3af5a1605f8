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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLSocketFactory;

/**
 * The tenant's discovery document and signing keys, fetched once and kept. {@link #prefetch()} starts that at once, so
 * it runs while the rest of the service starts; otherwise the first caller fetches. One fetch is in flight at a time:
 * callers that come while it runs wait for its answer instead of fetching again (readiness probes at start would
 * otherwise each open a connection to the IdP). Every method but {@link #prefetch()} and {@link #cached()} blocks on
 * the network: call it from a worker, never from the event loop.
 */
public final class OidcProvider {
    private final URI discoveryUrl;
    private final DefaultResourceRetriever retriever;
    private final AtomicReference<Loaded> loaded = new AtomicReference<>();
    /** The fetch of discovery running now, if any. */
    private final AtomicReference<CompletableFuture<Loaded>> fetching = new AtomicReference<>();
    /** {@link #problem()} asked once at start, on a thread of its own; null until {@link #prefetch()}. */
    private final AtomicReference<CompletableFuture<Optional<String>>> prefetched = new AtomicReference<>();

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

    /**
     * Starts fetching discovery and the key set on a thread of its own and returns at once; later calls return the
     * same answer. Completes with what {@link #problem()} found.
     */
    public CompletableFuture<Optional<String>> prefetch() {
        CompletableFuture<Optional<String>> mine = new CompletableFuture<>();
        CompletableFuture<Optional<String>> earlier = prefetched.compareAndExchange(null, mine);
        if (earlier != null) {
            return earlier;
        }
        Thread t = new Thread(() -> {
            try {
                mine.complete(problem());
            } catch (RuntimeException e) {
                mine.completeExceptionally(e);
            }
        }, "oidc-prefetch");
        t.setDaemon(true);
        t.start();
        return mine;
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
        CompletableFuture<Loaded> mine = new CompletableFuture<>();
        CompletableFuture<Loaded> running = fetching.compareAndExchange(null, mine);
        if (running == null) {
            try {
                // Another caller's fetch may have ended between the first look and this one.
                Loaded meanwhile = loaded.get();
                mine.complete(meanwhile != null ? meanwhile : fetch());
            } catch (OidcUnavailableException | RuntimeException e) {
                mine.completeExceptionally(e);
            } catch (Error e) {
                mine.completeExceptionally(e);
                throw e;
            } finally {
                // A failed fetch is not remembered: the next caller tries again.
                fetching.compareAndSet(mine, null);
            }
            running = mine;
        }
        try {
            return running.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof OidcUnavailableException unavailable) {
                throw unavailable;
            }
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    private Loaded fetch() throws OidcUnavailableException {
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
