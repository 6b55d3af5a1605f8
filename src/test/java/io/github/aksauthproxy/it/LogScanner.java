package io.github.aksauthproxy.it;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds secrets in log lines. A line leaks a secret when it holds any {@link #WINDOW} characters in a row of it (a
 * token without its header, the tail of its signature), or of its standard base64 form; a secret shorter than a
 * window leaks when it appears whole, from {@link #MIN_LENGTH} characters on (shorter values would match by
 * chance). And any JWT header or payload leaks ({@code eyJ} is how base64url of a JSON object starts), recorded or
 * not: a token minted by a test itself never passes the stand-in IdP's endpoints.
 */
public final class LogScanner {
    static final int WINDOW = 24;
    static final int MIN_LENGTH = 16;
    private static final Pattern JWT_PART = Pattern.compile("eyJ[A-Za-z0-9_-]{" + (WINDOW - 3) + ",}");
    /** Any odd multiplier makes a rolling hash of the characters; a hit is confirmed against the secrets before it counts. */
    private static final long BASE = 0x9E3779B97F4A7C15L;
    private static final long BASE_POW = pow(BASE, WINDOW - 1);

    private LogScanner() {
    }

    /** One secret found in one line; the report names the line number and a hint, never the secret itself. */
    public record Leak(int lineNumber, String hint) {
    }

    public static List<Leak> scan(List<String> lines, Collection<String> secrets) {
        return prepare(secrets).scan(lines);
    }

    /** The secrets made ready once for scanning many batches of lines (the fuzz properties scan every answer). */
    public static Prepared prepare(Collection<String> secrets) {
        List<String> forms = new ArrayList<>();
        List<String> whole = new ArrayList<>();
        for (String secret : secrets) {
            if (secret.length() >= WINDOW) {
                forms.add(secret);
                forms.addAll(base64Forms(secret));
            } else if (secret.length() >= MIN_LENGTH) {
                whole.add(secret);
            }
        }
        return new Prepared(forms, whole, windowHashes(forms));
    }

    /** Secrets as {@link #prepare} made them ready. */
    public static final class Prepared {
        private final List<String> forms;
        private final List<String> whole;
        private final long[] windows;

        private Prepared(List<String> forms, List<String> whole, long[] windows) {
            this.forms = forms;
            this.whole = whole;
            this.windows = windows;
        }

        public List<Leak> scan(List<String> lines) {
            List<Leak> leaks = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                String window = firstSecretWindow(line, windows, forms);
                if (window != null) {
                    leaks.add(new Leak(i + 1, "24 characters of a secret, from '" + window.substring(0, 4) + "...'"));
                }
                for (String secret : whole) {
                    if (line.contains(secret)) {
                        leaks.add(new Leak(i + 1, "a whole secret, '" + secret.substring(0, 4) + "...' (" + secret.length() + " chars)"));
                    }
                }
                Matcher jwt = JWT_PART.matcher(line);
                if (jwt.find()) {
                    leaks.add(new Leak(i + 1, "a JWT header or payload, '" + jwt.group().substring(0, 6) + "...'"));
                }
            }
            return leaks;
        }
    }

    /**
     * What a log line would hold of the secret's base64: one encoding per alignment to three bytes, without its last
     * group (which depends on the bytes after the secret).
     */
    private static List<String> base64Forms(String secret) {
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        List<String> forms = new ArrayList<>();
        for (int skip = 0; skip < 3; skip++) {
            String b64 = Base64.getEncoder().encodeToString(Arrays.copyOfRange(bytes, skip, bytes.length));
            if (b64.length() - 4 >= WINDOW) {
                forms.add(b64.substring(0, b64.length() - 4));
            }
        }
        return forms;
    }

    private static long[] windowHashes(List<String> forms) {
        long[] hashes = new long[forms.stream().mapToInt(f -> f.length() - WINDOW + 1).sum()];
        int n = 0;
        for (String f : forms) {
            long h = hash(f, 0);
            hashes[n++] = h;
            for (int end = WINDOW; end < f.length(); end++) {
                h = roll(h, f.charAt(end - WINDOW), f.charAt(end));
                hashes[n++] = h;
            }
        }
        Arrays.sort(hashes);
        return hashes;
    }

    private static String firstSecretWindow(String line, long[] windows, List<String> forms) {
        if (line.length() < WINDOW) {
            return null;
        }
        long h = hash(line, 0);
        for (int start = 0; ; start++) {
            if (Arrays.binarySearch(windows, h) >= 0) {
                String window = line.substring(start, start + WINDOW);
                if (forms.stream().anyMatch(f -> f.contains(window))) {
                    return window;
                }
            }
            if (start + WINDOW >= line.length()) {
                return null;
            }
            h = roll(h, line.charAt(start), line.charAt(start + WINDOW));
        }
    }

    private static long hash(String s, int from) {
        long h = 0;
        for (int i = from; i < from + WINDOW; i++) {
            h = h * BASE + s.charAt(i);
        }
        return h;
    }

    private static long roll(long h, char out, char in) {
        return (h - out * BASE_POW) * BASE + in;
    }

    private static long pow(long base, int exponent) {
        long p = 1;
        for (int i = 0; i < exponent; i++) {
            p *= base;
        }
        return p;
    }
}
