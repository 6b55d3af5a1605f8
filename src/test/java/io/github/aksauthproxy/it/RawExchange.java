package io.github.aksauthproxy.it;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One request written byte for byte over a plain socket and its whole answer, for fuzzing: HTTP clients refuse or
 * normalise the header values, request targets and encodings a fuzzer sends. Header values are written as UTF-8 (so
 * non-ASCII arrives as obs-text), with CR and LF left out (they would end the header, not be part of it).
 */
final class RawExchange {
    /** How long an answer may take before the service counts as hanging. */
    static final int ANSWER_WITHIN_MILLIS = 10_000;

    private RawExchange() {
    }

    /** The answer; status 0 when the service closed the connection without one (a request HTTP itself forbids). */
    record Answer(int status, String head, String body) {
        Optional<String> header(String name) {
            return headers(name).stream().findFirst();
        }

        List<String> headers(String name) {
            List<String> values = new ArrayList<>();
            String prefix = name.toLowerCase(Locale.ROOT) + ":";
            for (String line : head.split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith(prefix)) {
                    values.add(line.substring(prefix.length()).trim());
                }
            }
            return values;
        }

        /** The head without the headers named (the ones a 200 carries the token in, cookies being set), and the body. */
        String textWithout(List<String> names) {
            StringBuilder sb = new StringBuilder();
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon < 0 || names.stream().noneMatch(n -> n.equalsIgnoreCase(line.substring(0, colon).trim()))) {
                    sb.append(line).append('\n');
                }
            }
            return sb.append(body).toString();
        }
    }

    static Answer send(int port, String method, String target, List<Map.Entry<String, String>> headers) {
        StringBuilder request = new StringBuilder(method).append(' ').append(target.replace("\r", "").replace("\n", "")).append(" HTTP/1.1\r\n");
        request.append("Host: 127.0.0.1:").append(port).append("\r\nConnection: close\r\n");
        for (Map.Entry<String, String> h : headers) {
            request.append(h.getKey()).append(": ").append(h.getValue().replace("\r", "").replace("\n", "")).append("\r\n");
        }
        request.append("\r\n");
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(ANSWER_WITHIN_MILLIS);
            try {
                socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.UTF_8));
                socket.getOutputStream().flush();
            } catch (IOException closedWhileWriting) {
                // The service answered (431, 400) and closed before reading everything: read what it said.
            }
            byte[] answer = readAll(socket.getInputStream());
            return parse(new String(answer, StandardCharsets.UTF_8));
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no answer within " + ANSWER_WITHIN_MILLIS + " ms to " + method + " " + abbreviated(target));
        } catch (IOException e) {
            throw new AssertionError("cannot reach 127.0.0.1:" + port, e);
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException reset) {
            // A reset after (or instead of) the answer: keep what arrived.
        }
        return out.toByteArray();
    }

    private static Answer parse(String raw) {
        int end = raw.indexOf("\r\n\r\n");
        if (!raw.matches("(?s)HTTP/1\\.[01] \\d{3}.*") || end < 0) {
            return new Answer(0, raw, "");
        }
        return new Answer(Integer.parseInt(raw.substring(9, 12)), raw.substring(0, end), raw.substring(end + 4));
    }

    static String abbreviated(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "...(" + s.length() + " chars)" : s;
    }
}
