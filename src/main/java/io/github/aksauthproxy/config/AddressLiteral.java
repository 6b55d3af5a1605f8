package io.github.aksauthproxy.config;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * IPv4 and IPv6 address literals, read from their text alone. {@link java.net.InetAddress#getByName} is no parser
 * for untrusted text: it asks DNS about anything it cannot read (a blocking lookup, on the event loop when the text
 * is a request's {@code X-Real-IP}), and it reads {@code 10.244} as 10.0.0.244 and {@code 167772161} as 10.0.0.1.
 * Here an IPv4 address is exactly four decimal parts of 0-255 without leading zeros (which some readers take for
 * octal); an IPv6 address is eight groups of one to four hex digits, one {@code ::} standing for one or more
 * zero groups, the last two groups optionally written as an IPv4 address (RFC 4291 section 2.2). No zone ids.
 */
final class AddressLiteral {
    private static final Pattern DECIMAL_OCTET = Pattern.compile("0|[1-9][0-9]{0,2}");
    private static final Pattern HEX_GROUP = Pattern.compile("[0-9A-Fa-f]{1,4}");
    private static final int MAX_LENGTH = 45;

    private AddressLiteral() {
    }

    /**
     * The address's bytes: 4 for IPv4, 16 for IPv6, except that an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d})
     * gives the 4 bytes of the IPv4 address it carries, as the JDK's sockets report such peers.
     */
    static Optional<byte[]> parse(String text) {
        if (text.isEmpty() || text.length() > MAX_LENGTH) {
            return Optional.empty();
        }
        return text.indexOf(':') < 0 ? ipv4(text) : ipv6(text).map(AddressLiteral::unmapped);
    }

    /** True when the text is IPv6 but the bytes are the IPv4 address an IPv4-mapped address carries. */
    static boolean isMapped(String text, byte[] address) {
        return text.indexOf(':') >= 0 && address.length == 4;
    }

    private static Optional<byte[]> ipv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return Optional.empty();
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            if (!DECIMAL_OCTET.matcher(parts[i]).matches() || Integer.parseInt(parts[i]) > 255) {
                return Optional.empty();
            }
            out[i] = (byte) Integer.parseInt(parts[i]);
        }
        return Optional.of(out);
    }

    private static Optional<byte[]> ipv6(String s) {
        int gap = s.indexOf("::");
        if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
            return Optional.empty();
        }
        String headText = gap < 0 ? s : s.substring(0, gap);
        String tailText = gap < 0 ? "" : s.substring(gap + 2);
        // An embedded IPv4 address may only end the address.
        boolean headEnds = gap < 0;
        int[] head = groups(headText, headEnds);
        int[] tail = groups(tailText, !headEnds);
        if (head == null || tail == null) {
            return Optional.empty();
        }
        int count = head.length + tail.length;
        if (gap < 0 ? count != 8 : count > 7) {
            return Optional.empty();
        }
        byte[] out = new byte[16];
        for (int i = 0; i < head.length; i++) {
            put(out, i, head[i]);
        }
        for (int i = 0; i < tail.length; i++) {
            put(out, 8 - tail.length + i, tail[i]);
        }
        return Optional.of(out);
    }

    /** The 16-bit groups of one side of {@code ::}; null when malformed. */
    private static int[] groups(String side, boolean mayEndInIpv4) {
        if (side.isEmpty()) {
            return new int[0];
        }
        String[] parts = side.split(":", -1);
        String last = parts[parts.length - 1];
        boolean ipv4Tail = mayEndInIpv4 && last.indexOf('.') >= 0;
        int[] out = new int[parts.length + (ipv4Tail ? 1 : 0)];
        for (int i = 0; i < parts.length - (ipv4Tail ? 1 : 0); i++) {
            if (!HEX_GROUP.matcher(parts[i]).matches()) {
                return null;
            }
            out[i] = Integer.parseInt(parts[i], 16);
        }
        if (ipv4Tail) {
            Optional<byte[]> v4 = ipv4(last);
            if (v4.isEmpty()) {
                return null;
            }
            byte[] b = v4.get();
            out[out.length - 2] = (b[0] & 0xff) << 8 | (b[1] & 0xff);
            out[out.length - 1] = (b[2] & 0xff) << 8 | (b[3] & 0xff);
        }
        return out;
    }

    private static void put(byte[] out, int group, int value) {
        out[group * 2] = (byte) (value >> 8);
        out[group * 2 + 1] = (byte) value;
    }

    private static byte[] unmapped(byte[] v6) {
        for (int i = 0; i < 10; i++) {
            if (v6[i] != 0) {
                return v6;
            }
        }
        if (v6[10] != (byte) 0xff || v6[11] != (byte) 0xff) {
            return v6;
        }
        return new byte[] {v6[12], v6[13], v6[14], v6[15]};
    }
}
