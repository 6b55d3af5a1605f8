package io.github.aksauthproxy.it;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Finds secrets in log lines. A secret counts when it appears whole, or when any dot-separated part of it of at
 * least {@link #MIN_LENGTH} characters does (a JWT's signature or payload alone is still a leak). Shorter values
 * are skipped: they would match by chance.
 */
final class LogScanner {
    static final int MIN_LENGTH = 16;

    /** One secret found in one line; the report names the line number and a hint, never the secret itself. */
    record Leak(int lineNumber, String hint) {
    }

    static List<Leak> scan(List<String> lines, Collection<String> secrets) {
        List<String> needles = new ArrayList<>();
        for (String secret : secrets) {
            if (secret.length() >= MIN_LENGTH) {
                needles.add(secret);
            }
            for (String part : secret.split("\\.")) {
                if (part.length() >= MIN_LENGTH && !part.equals(secret)) {
                    needles.add(part);
                }
            }
        }
        List<Leak> leaks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            for (String needle : needles) {
                if (line.contains(needle)) {
                    leaks.add(new Leak(i + 1, needle.substring(0, 4) + "... (" + needle.length() + " chars)"));
                }
            }
        }
        return leaks;
    }
}
