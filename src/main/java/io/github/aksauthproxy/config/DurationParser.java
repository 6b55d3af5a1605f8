package io.github.aksauthproxy.config;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations written like {@code 12h}, {@code 30m}, {@code 1h30m}, {@code 7d}, {@code 90s}. */
final class DurationParser {
    private static final Pattern FORMAT = Pattern.compile("(?:(\\d{1,6})d)?(?:(\\d{1,6})h)?(?:(\\d{1,6})m)?(?:(\\d{1,8})s)?");

    private DurationParser() {
    }

    static Optional<Duration> parse(String text) {
        Matcher m = FORMAT.matcher(text.trim());
        if (text.isBlank() || !m.matches()) {
            return Optional.empty();
        }
        Duration d = Duration.ZERO;
        d = d.plusDays(group(m, 1)).plusHours(group(m, 2)).plusMinutes(group(m, 3)).plusSeconds(group(m, 4));
        return Optional.of(d);
    }

    private static long group(Matcher m, int i) {
        return m.group(i) == null ? 0 : Long.parseLong(m.group(i));
    }
}
