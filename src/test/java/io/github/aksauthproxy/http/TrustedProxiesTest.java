package io.github.aksauthproxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.aksauthproxy.config.Cidr;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrustedProxiesTest {
    private static TrustedProxies of(String... ranges) {
        return new TrustedProxies(Arrays.stream(ranges).map(r -> Cidr.parse(r).orElseThrow()).toList());
    }

    @Test
    void addressesInsideTheRangesAreTrustedOthersNot() {
        TrustedProxies p = of("10.244.0.0/16", "192.168.1.7", "fd00::/8");
        assertThat(p.trusts("10.244.3.9")).isTrue();
        assertThat(p.trusts("10.245.0.1")).isFalse();
        assertThat(p.trusts("192.168.1.7")).isTrue();
        assertThat(p.trusts("192.168.1.8")).isFalse();
        assertThat(p.trusts("fd12::1")).isTrue();
        assertThat(p.trusts("fe80::1")).isFalse();
    }

    @Test
    void prefixesThatAreNotByteAlignedCutAtTheBit() {
        TrustedProxies p = of("172.16.0.0/12");
        assertThat(p.trusts("172.31.255.255")).isTrue();
        assertThat(p.trusts("172.32.0.0")).isFalse();
        assertThat(p.trusts("172.15.255.255")).isFalse();
    }

    @Test
    void noRangesTrustNoOne() {
        assertThat(new TrustedProxies(List.of()).trusts("127.0.0.1")).isFalse();
        assertThat(new TrustedProxies(List.of()).any()).isFalse();
        assertThat(of("0.0.0.0/0").trusts("203.0.113.9")).isTrue();
    }

    @Test
    void nonLiteralPeersAreNeverTrusted() {
        TrustedProxies p = of("127.0.0.0/8");
        assertThat(p.trusts("localhost")).isFalse();
        assertThat(p.trusts((String) null)).isFalse();
        assertThat(p.trusts("")).isFalse();
    }

    @Test
    void hostNamesAndMalformedRangesAreNotRanges() {
        for (String bad : List.of("proxy.example.com", "10.0.0.0/33", "300.1.1.1", "::1/129")) {
            assertThat(Cidr.parse(bad)).as(bad).isEmpty();
        }
    }

    @Test
    void aLinkLocalPeerIsMatchedWithoutItsZone() {
        TrustedProxies p = of("fe80::/64");
        assertThat(p.trusts("fe80:0:0:0:0:0:0:1%eth0")).isTrue();
        assertThat(p.trusts("fe80:0:0:1:0:0:0:1%eth0")).isFalse();
    }
}
