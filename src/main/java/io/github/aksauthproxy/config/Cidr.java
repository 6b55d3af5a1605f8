package io.github.aksauthproxy.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Pattern;

/** An address range like {@code 10.244.0.0/16} or {@code fd00::/8}; a bare address is a range of one. */
public record Cidr(byte[] network, int prefixLength) {
    private static final Pattern PREFIX = Pattern.compile("0|[1-9][0-9]{0,2}");
    /** An IPv4-mapped IPv6 range ({@code ::ffff:10.0.0.0/104}) is the IPv4 range after these 96 bits. */
    private static final int MAPPED_PREFIX = 96;

    public Cidr {
        network = network.clone();
    }

    /**
     * Parses {@code address[/prefix]}; empty unless the address is a full literal ({@link AddressLiteral}) and the
     * prefix a plain decimal number that fits it.
     */
    public static Optional<Cidr> parse(String text) {
        String s = text.trim();
        int slash = s.indexOf('/');
        String literal = slash < 0 ? s : s.substring(0, slash);
        Optional<byte[]> address = AddressLiteral.parse(literal);
        if (address.isEmpty()) {
            return Optional.empty();
        }
        byte[] bytes = address.get();
        boolean mapped = AddressLiteral.isMapped(literal, bytes);
        int bits = mapped ? 128 : bytes.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String p = s.substring(slash + 1);
            if (!PREFIX.matcher(p).matches() || Integer.parseInt(p) > bits) {
                return Optional.empty();
            }
            prefix = Integer.parseInt(p);
        }
        if (mapped) {
            if (prefix < MAPPED_PREFIX) {
                return Optional.empty();
            }
            prefix -= MAPPED_PREFIX;
        }
        return Optional.of(new Cidr(mask(bytes, prefix), prefix));
    }

    /**
     * The bytes of a literal IPv4 or IPv6 address, optionally in brackets ({@code [::1]}); empty for anything else.
     * Never a DNS lookup: this reads request headers on the event loop.
     */
    public static Optional<byte[]> address(String literal) {
        boolean bracketed = literal.startsWith("[") && literal.endsWith("]") && literal.indexOf(':') >= 0;
        return AddressLiteral.parse(bracketed ? literal.substring(1, literal.length() - 1) : literal);
    }

    public boolean contains(byte[] address) {
        return address.length == network.length && Arrays.equals(mask(address, prefixLength), network);
    }

    private static byte[] mask(byte[] address, int prefix) {
        byte[] out = address.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] = (byte) (out[i] & (0xff << (8 - keep)));
        }
        return out;
    }

    @Override
    public String toString() {
        try {
            // getByAddress only wraps the bytes; it resolves nothing.
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefixLength;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefixLength == prefixLength && Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(network) + prefixLength;
    }
}
