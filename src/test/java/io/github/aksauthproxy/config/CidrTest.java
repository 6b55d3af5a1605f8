package io.github.aksauthproxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Address ranges for AKS_AUTH_PROXY_TRUSTED_PROXIES: literal addresses only, never a DNS lookup. */
class CidrTest {
    private static byte[] ip(String s) {
        return Cidr.address(s).orElseThrow();
    }

    @Test
    void anIpv4RangeContainsItsAddressesOnly() {
        Cidr pods = Cidr.parse("10.244.0.0/16").orElseThrow();
        assertThat(pods.contains(ip("10.244.3.7"))).isTrue();
        assertThat(pods.contains(ip("10.245.0.1"))).isFalse();
        assertThat(pods.contains(ip("::ffff:0a00:0001"))).isFalse();
        assertThat(pods).hasToString("10.244.0.0/16");
    }

    @Test
    void aBareAddressIsARangeOfOneAndIpv6Works() {
        assertThat(Cidr.parse("192.168.1.7").orElseThrow().contains(ip("192.168.1.7"))).isTrue();
        assertThat(Cidr.parse("192.168.1.7").orElseThrow().contains(ip("192.168.1.8"))).isFalse();
        assertThat(Cidr.parse("fd00::/8").orElseThrow().contains(ip("fd12:3456::1"))).isTrue();
        assertThat(Cidr.parse("fd00::/8").orElseThrow().contains(ip("fe80::1"))).isFalse();
    }

    @Test
    void hostNamesBadPrefixesAndJunkAreRejected() {
        assertThat(Cidr.parse("ingress.example.com")).isEmpty();
        assertThat(Cidr.parse("localhost")).isEmpty();
        assertThat(Cidr.parse("10.0.0.0/33")).isEmpty();
        assertThat(Cidr.parse("10.0.0.0/-1")).isEmpty();
        assertThat(Cidr.parse("10.0.0/8x")).isEmpty();
        assertThat(Cidr.parse("")).isEmpty();
    }

    @Test
    void shortenedAndNumericIpv4FormsAreNotAddresses() {
        // InetAddress reads these as 10.0.0.0, 10.0.0.1, 127.0.0.1 or octal; a person meant something else.
        for (String bad : List.of("10.244", "10.1", "127.1", "167772161", "0x7f.0.0.1", "010.0.0.1", "10.0.0.01", "1.2.3.4.5",
                "999.1.1.1", "256.0.0.1", "1.2.3.", ".1.2.3", "1..2.3", "1.2.3.-4", "+1.2.3.4", "1.2.3.4 ", " 1.2.3.4", "１.2.3.4")) {
            assertThat(Cidr.address(bad)).as(bad).isEmpty();
        }
    }

    @Test
    void shortenedAndNumericRangesAreRejected() {
        for (String bad : List.of("10.244/16", "167772161/32", "10/8", "10.0.0.0/08", "10.0.0.0/", "10.0.0.0/16/16", "10.0.0.0/+8",
                "fd00::/", "fd00::/0x8")) {
            assertThat(Cidr.parse(bad)).as(bad).isEmpty();
        }
    }

    @Test
    void fullIpv4LiteralsAreReadExactly() {
        assertThat(ip("0.0.0.0")).containsExactly(0, 0, 0, 0);
        assertThat(ip("255.255.255.255")).containsExactly(-1, -1, -1, -1);
        assertThat(ip("10.244.3.7")).containsExactly(10, (byte) 244, 3, 7);
        assertThat(Cidr.parse("10.244.0.0/16").orElseThrow()).hasToString("10.244.0.0/16");
        assertThat(Cidr.parse("0.0.0.0/0").orElseThrow()).hasToString("0.0.0.0/0");
    }

    @Test
    void ipv6LiteralsInEveryProperFormAreRead() throws Exception {
        for (String good : List.of("::", "::1", "fd00::", "fe80::1", "FE80::A:b", "2001:db8::8a2e:370:7334",
                "2001:0db8:0000:0000:0000:ff00:0042:8329", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1:2:3:4:5:6::8",
                "64:ff9b::192.0.2.33", "::192.0.2.33", "1:2:3:4:5:6:192.0.2.33", "[::1]")) {
            String bare = good.replace("[", "").replace("]", "");
            // InetAddress as the oracle: for a proper literal it never resolves.
            assertThat(ip(good)).as(good).containsExactly(java.net.InetAddress.getByName(bare).getAddress());
        }
    }

    @Test
    void malformedIpv6IsNotAnAddress() {
        for (String bad : List.of(":::", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::", "g::1", ":1::2", "1::2:",
                "1:2:3:4:5:6:7:8::", "::1%eth0", "fe80::1%1", "[::1", "::1]", "[1.2.3.4]", "1.2.3.4::", "::1.2.3", "::1.2.3.4.5",
                "1:2:3:4:5:6:7:1.2.3.4", "::ffff:999.1.1.1", ":", "")) {
            assertThat(Cidr.address(bad)).as(bad).isEmpty();
        }
    }

    @Test
    void anIpv4MappedAddressIsTheIpv4AddressItCarries() {
        assertThat(ip("::ffff:10.244.3.7")).containsExactly(ip("10.244.3.7"));
        assertThat(ip("::ffff:af4:307")).containsExactly(ip("10.244.3.7"));
        Cidr mapped = Cidr.parse("::ffff:10.244.0.0/112").orElseThrow();
        assertThat(mapped).isEqualTo(Cidr.parse("10.244.0.0/16").orElseThrow());
        assertThat(Cidr.parse("::ffff:0:0/80")).as("wider than the mapped block").isEmpty();
    }
}
