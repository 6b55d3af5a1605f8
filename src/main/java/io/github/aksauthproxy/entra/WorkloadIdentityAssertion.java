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
 * Entra and never kept.
 */
public final class WorkloadIdentityAssertion implements Callable<String> {
    private final Path file;
    private final Clock clock;

    public WorkloadIdentityAssertion(Path file, Clock clock) {
        this.file = file;
        this.clock = clock;
    }

    /** Reads the current assertion (blocking: call off the event loop; MSAL4J does). */
    @Override
    public String call() throws IOException {
        String token = Files.readString(file, StandardCharsets.UTF_8).trim();
        if (token.isEmpty()) {
            throw new IOException("the federated token file " + file + " is empty");
        }
        return token;
    }

    /** Why the file cannot serve as an assertion right now, or empty when it can. Blocking. */
    public Optional<String> problem() {
        if (!Files.exists(file)) {
            return Optional.of("the federated token file " + file + " (AZURE_FEDERATED_TOKEN_FILE) does not exist; "
                    + "is the pod labelled azure.workload.identity/use=\"true\"?");
        }
        String token;
        try {
            token = call();
        } catch (IOException e) {
            return Optional.of("the federated token file " + file + " cannot be read: " + e.getClass().getSimpleName());
        }
        Date exp;
        try {
            exp = JWTParser.parse(token).getJWTClaimsSet().getExpirationTime();
        } catch (ParseException e) {
            return Optional.of("the federated token file " + file + " does not hold a JWT");
        }
        if (exp != null && !Instant.now(clock).isBefore(exp.toInstant())) {
            return Optional.of("the federated token in " + file + " expired at " + exp.toInstant()
                    + "; the kubelet has stopped rotating it (AADSTS700024 would follow)");
        }
        return Optional.empty();
    }

    public Path file() {
        return file;
    }
}
