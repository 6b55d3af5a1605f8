package io.github.aksauthproxy.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fault harness's nginx log of auth subrequests (format {@code faults_auth}): for each user request id, what the
 * replicas answered. nginx turns a 5xx of the auth subrequest into its own 500, which the shipped example hands to
 * the service's 503 page; this log tells a 503 with Retry-After from a 500 or an unreachable replica behind it.
 */
final class NginxAuthLog {
    private static final Pattern LINE = Pattern.compile("^\\S+ (\\S+) \"([^\"]*)\" \"([^\"]*)\" \"([^\"]*)\" \\S+$");

    /**
     * One auth subrequest. {@code statuses}: each replica's answer in the order nginx asked them (a second one when
     * nginx moved on after a connection error: "502" is one it could not reach).
     */
    record Auth(List<String> statuses, List<String> replicas, String retryAfter) {
        String last() {
            return statuses.isEmpty() ? "-" : statuses.get(statuses.size() - 1);
        }

        boolean retried() {
            return statuses.size() > 1;
        }
    }

    private NginxAuthLog() {
    }

    static Map<String, Auth> read(Path log) throws IOException {
        Map<String, Auth> byRequest = new HashMap<>();
        if (!Files.exists(log)) {
            return byRequest;
        }
        for (String line : Files.readAllLines(log)) {
            Matcher m = LINE.matcher(line);
            if (m.matches() && m.group(1).startsWith("fault-")) {
                byRequest.put(m.group(1), new Auth(split(m.group(2)), split(m.group(3)), m.group(4)));
            }
        }
        return byRequest;
    }

    private static List<String> split(String upstreamValue) {
        return Arrays.stream(upstreamValue.split("\\s*(,| : )\\s*")).map(String::trim).filter(s -> !s.isEmpty() && !s.equals("-")).toList();
    }
}
