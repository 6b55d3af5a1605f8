package io.github.aksauthproxy.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The address ranges of the reverse proxies whose {@code X-Forwarded-*} headers the service believes
 * ({@code AKS_AUTH_PROXY_TRUSTED_PROXIES}). A client can send any {@code X-Forwarded-*} header it likes; only a
 * peer inside one of these ranges has set them itself. Empty (the default) trusts no one.
 */
public final class TrustedProxies {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private record Range(byte[] network, int prefix) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xff << (8 - rest) & 0xff;
            return (address[full] & mask) == (network[full] & mask);
        }
    }

    private static final TrustedProxies NONE = new TrustedProxies(List.of());

    private final List<Range> ranges;

    private TrustedProxies(List<Range> ranges) {
        this.ranges = List.copyOf(ranges);
    }

    /** Trusts no proxy. */
    public static TrustedProxies none() {
        return NONE;
    }

    /**
     * @param commaSeparated CIDRs like {@code 10.0.0.0/8, fd00::/8}; a bare address means that one address;
     *     null or blank trusts no one
     * @throws IllegalArgumentException naming every entry that is not an IPv4 or IPv6 address or CIDR
     */
    public static TrustedProxies parse(String commaSeparated) {
        if (commaSeparated == null || commaSeparated.isBlank()) {
            return NONE;
        }
        List<Range> ranges = new ArrayList<>();
        List<String> invalid = new ArrayList<>();
        for (String raw : commaSeparated.split(",")) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                continue;
            }
            range(entry).ifPresentOrElse(ranges::add, () -> invalid.add("'" + entry + "'"));
        }
        if (!invalid.isEmpty()) {
            throw new IllegalArgumentException("not an IP address range " + invalid
                    + ": write CIDRs like 10.244.0.0/16 or fd00::/8, separated by commas");
        }
        return new TrustedProxies(ranges);
    }

    /** True when {@code address} (a literal IPv4 or IPv6 address, never a host name) is in one of the ranges. */
    public boolean contains(String address) {
        if (ranges.isEmpty() || address == null) {
            return false;
        }
        return literal(address).map(a -> ranges.stream().anyMatch(r -> r.contains(a))).orElse(false);
    }

    public boolean isEmpty() {
        return ranges.isEmpty();
    }

    private static Optional<Range> range(String entry) {
        int slash = entry.indexOf('/');
        String host = slash < 0 ? entry : entry.substring(0, slash);
        Optional<byte[]> network = literal(host);
        if (network.isEmpty()) {
            return Optional.empty();
        }
        int max = network.get().length * 8;
        int prefix = max;
        if (slash >= 0) {
            String bits = entry.substring(slash + 1);
            if (!bits.matches("\\d{1,3}") || Integer.parseInt(bits) > max) {
                return Optional.empty();
            }
            prefix = Integer.parseInt(bits);
        }
        return Optional.of(new Range(network.get(), prefix));
    }

    /** Parses only literals: InetAddress.getByName would otherwise resolve a host name over DNS. */
    private static Optional<byte[]> literal(String s) {
        String bare = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
        boolean v4 = IPV4.matcher(bare).matches();
        if (v4) {
            for (String octet : bare.split("\\.")) {
                if (Integer.parseInt(octet) > 255) {
                    return Optional.empty();
                }
            }
        }
        if (!v4 && !IPV6.matcher(bare).matches()) {
            return Optional.empty();
        }
        try {
            byte[] a = InetAddress.getByName(bare).getAddress();
            // An IPv4-mapped IPv6 peer (::ffff:10.0.0.1) is the IPv4 address; Java already returns 4 bytes for it.
            return Optional.of(a);
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }
}
