package io.github.aksauthproxy.it;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Requests sent exactly as written, over a plain socket: HTTP clients normalise or refuse the shapes some tests need. */
final class RawHttp {
    private RawHttp() {
    }

    /** Sends the request line and headers (bytes as ISO-8859-1) to a loopback port; returns the status line of the answer. */
    static String statusLine(int port, String... requestLineAndHeaders) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write((String.join("\r\n", requestLineAndHeaders) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1)).readLine();
        }
    }
}
