package io.github.aksauthproxy.config;

import static org.assertj.core.api.Assertions.assertThat;

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
}
