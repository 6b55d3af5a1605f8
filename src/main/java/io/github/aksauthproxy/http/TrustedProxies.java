package io.github.aksauthproxy.http;

import io.github.aksauthproxy.config.Cidr;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.util.List;
import java.util.Optional;

/**
 * The proxies ({@code AKS_AUTH_PROXY_TRUSTED_PROXIES}) whose forwarded headers may be believed. A header such as
 * {@code X-Real-IP} is the client's own invention unless the connection comes from one of these ranges: any
 * client can send it, and ingress-nginx passes client headers through to the auth subrequest.
 */
public final class TrustedProxies {
    private final List<Cidr> ranges;

    public TrustedProxies(List<Cidr> ranges) {
        this.ranges = List.copyOf(ranges);
    }

    /** True when at least one range is configured. */
    public boolean any() {
        return !ranges.isEmpty();
    }

    /** True when the connection's literal address lies in a trusted range. */
    public boolean trusts(String peerAddress) {
        if (ranges.isEmpty() || peerAddress == null) {
            return false;
        }
        // The JDK writes a link-local IPv6 peer with its zone (fe80::1%eth0); the zone names an interface, not a host.
        int zone = peerAddress.indexOf('%');
        Optional<byte[]> address = Cidr.address(zone < 0 ? peerAddress : peerAddress.substring(0, zone));
        return address.isPresent() && ranges.stream().anyMatch(r -> r.contains(address.get()));
    }

    /** True when the request's connection comes from a trusted proxy. */
    public boolean trusts(HttpServerRequest request) {
        SocketAddress peer = request.remoteAddress();
        return peer != null && trusts(peer.hostAddress());
    }

    /**
     * The client's address: the proxy's {@code X-Real-IP} when the connection comes from a trusted proxy and the
     * header holds a full address literal, else the connection's peer address. Anything else in the header
     * ({@code 10.1}, {@code 1.2.3.4.5}, a host name) is not an address and is ignored, never resolved.
     */
    public String clientIp(HttpServerRequest request) {
        SocketAddress peer = request.remoteAddress();
        String peerAddress = peer == null ? "" : peer.hostAddress();
        if (trusts(peerAddress)) {
            String real = request.getHeader("X-Real-IP");
            if (real != null && Cidr.address(real.trim()).isPresent()) {
                return real.trim();
            }
        }
        return peerAddress == null ? "" : peerAddress;
    }
}
