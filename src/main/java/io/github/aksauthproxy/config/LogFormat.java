package io.github.aksauthproxy.config;

import java.util.Locale;
import java.util.Optional;

/**
 * How log lines are written. The value is also read by logback itself at start-up ({@code logback.xml} picks the
 * appender named after it), so the first line the process writes already has the chosen format.
 */
public enum LogFormat {
    /** One JSON object per line with stable field names: for log collectors. */
    JSON,
    /** Human-readable lines: for local development. */
    PLAIN;

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<LogFormat> parse(String s) {
        for (LogFormat f : values()) {
            if (f.configName().equals(s)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }
}
