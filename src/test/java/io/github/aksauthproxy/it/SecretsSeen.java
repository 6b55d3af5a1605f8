package io.github.aksauthproxy.it;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Every secret the test harness sees during the run (tokens, refresh tokens, cookie values, codes, code
 * verifiers, client assertions, cookie keys), kept so {@link LogsHoldNoSecretsTest} can check that none of them
 * reached a log line. Persisted one per line to {@link #FILE}, truncated when the test JVM starts.
 */
public final class SecretsSeen {
    public static final Path FILE = Path.of("target", "test-secrets.txt");
    private static final Set<String> SEEN = new LinkedHashSet<>();

    static {
        try {
            Files.createDirectories(FILE.getParent());
            Files.writeString(FILE, "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private SecretsSeen() {
    }

    /** Records a secret; values too short to be a secret worth scanning for are ignored by the scanner. */
    /** Records a token a test minted itself (it never crossed the stand-in's endpoints) and returns it. */
    public static String recorded(String token) {
        add(token);
        return token;
    }

    public static synchronized void add(String secret) {
        if (secret == null || secret.isBlank() || secret.contains("\n") || !SEEN.add(secret)) {
            return;
        }
        try {
            Files.writeString(FILE, secret + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Records the secret-bearing fields of an OAuth form body or query ({@code code=...&client_assertion=...}). */
    static void addFormFields(String form) {
        if (form == null) {
            return;
        }
        for (String pair : form.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && LogsHoldNoSecretsTest.SECRET_FIELDS.contains(pair.substring(0, eq))) {
                add(URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
    }

    static void addQueryFields(URI uri) {
        addFormFields(uri.getRawQuery());
    }

    /** Records the secret-bearing fields of a JSON body, such as a token response. */
    static void addJsonFields(String body) {
        if (body == null || !body.trim().startsWith("{")) {
            return;
        }
        JsonObject json = new JsonObject(body);
        for (String field : LogsHoldNoSecretsTest.SECRET_FIELDS) {
            if (json.getValue(field) instanceof String v) {
                add(v);
            }
        }
    }

    /** Every secret recorded in this JVM so far. */
    public static synchronized List<String> all() {
        return List.copyOf(SEEN);
    }
}
