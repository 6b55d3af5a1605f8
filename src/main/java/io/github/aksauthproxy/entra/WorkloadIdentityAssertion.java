package io.github.aksauthproxy.entra;

import com.nimbusds.jwt.JWTParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The projected service-account token that Azure Workload Identity mounts for the pod, used as the client
 * assertion. The kubelet rewrites the file at 80% of the token's life, so it is read again for every request to
 * Entra and never kept. What each read found (readable, and the token's {@code exp}) is remembered for the metrics,
 * so they never read the file themselves: a scrape runs on the event loop.
 */
public final class WorkloadIdentityAssertion implements Callable<String> {
    private final Path file;
    private final Clock clock;
    private static final LastRead UNREADABLE = new LastRead(true, Optional.empty(), false);
    private volatile LastRead lastRead = new LastRead(false, Optional.empty(), false);

    /**
     * What the latest read of the file found.
     *
     * @param happened false until the file was read once
     * @param expiry the {@code exp} of the token the file held, when it held a JWT with one
     * @param readable the file was read and held a JWT
     */
    public record LastRead(boolean happened, Optional<Instant> expiry, boolean readable) {
    }

    public WorkloadIdentityAssertion(Path file, Clock clock) {
        this.file = file;
        this.clock = clock;
    }

    /** Reads the current assertion (blocking: call off the event loop; MSAL4J does). */
    @Override
    public String call() throws IOException {
        String token;
        try {
            token = read();
        } catch (IOException e) {
            lastRead = UNREADABLE;
            throw e;
        }
        remember(token);
        return token;
    }

    /** Why the file cannot serve as an assertion right now, or empty when it can. Blocking. */
    public Optional<String> problem() {
        if (!Files.exists(file)) {
            lastRead = UNREADABLE;
            return Optional.of("the federated token file " + file + " (AZURE_FEDERATED_TOKEN_FILE) does not exist; "
                    + "is the pod labelled azure.workload.identity/use=\"true\"?");
        }
        String token;
        try {
            token = read();
        } catch (IOException e) {
            lastRead = UNREADABLE;
            return Optional.of("the federated token file " + file + " cannot be read: " + e.getClass().getSimpleName());
        }
        LastRead read = remember(token);
        if (!read.readable()) {
            return Optional.of("the federated token file " + file + " does not hold a JWT");
        }
        Optional<Instant> exp = read.expiry();
        if (exp.isPresent() && !Instant.now(clock).isBefore(exp.get())) {
            return Optional.of("the federated token in " + file + " expired at " + exp.get()
                    + "; the kubelet has stopped rotating it (AADSTS700024 would follow)");
        }
        return Optional.empty();
    }

    /** What the latest read found; never reads the file. */
    public LastRead lastRead() {
        return lastRead;
    }

    public Path file() {
        return file;
    }

    private String read() throws IOException {
        String token = Files.readString(file, StandardCharsets.UTF_8).trim();
        if (token.isEmpty()) {
            throw new IOException("the federated token file " + file + " is empty");
        }
        return token;
    }

    /** Remembers what this read found: a JWT and its {@code exp}, or a token that is no JWT (unreadable). */
    private LastRead remember(String token) {
        LastRead found;
        try {
            Date exp = JWTParser.parse(token).getJWTClaimsSet().getExpirationTime();
            found = new LastRead(true, Optional.ofNullable(exp).map(Date::toInstant), true);
        } catch (ParseException e) {
            found = UNREADABLE;
        }
        lastRead = found;
        return found;
    }
}
