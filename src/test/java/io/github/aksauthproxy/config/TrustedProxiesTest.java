package io.github.aksauthproxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TrustedProxiesTest {
    @Test
    void addressesInsideTheRangesAreTrustedOthersNot() {
        TrustedProxies p = TrustedProxies.parse("10.244.0.0/16, 192.168.1.7, fd00::/8");
        assertThat(p.contains("10.244.3.9")).isTrue();
        assertThat(p.contains("10.245.0.1")).isFalse();
        assertThat(p.contains("192.168.1.7")).isTrue();
        assertThat(p.contains("192.168.1.8")).isFalse();
        assertThat(p.contains("fd12::1")).isTrue();
        assertThat(p.contains("fe80::1")).isFalse();
        assertThat(p.contains("::ffff:10.244.0.1")).isTrue();
    }

    @Test
    void prefixesThatAreNotByteAlignedCutAtTheBit() {
        TrustedProxies p = TrustedProxies.parse("172.16.0.0/12");
        assertThat(p.contains("172.31.255.255")).isTrue();
        assertThat(p.contains("172.32.0.0")).isFalse();
        assertThat(p.contains("172.15.255.255")).isFalse();
    }

    @Test
    void emptyTrustsNoOne() {
        assertThat(TrustedProxies.parse("").contains("127.0.0.1")).isFalse();
        assertThat(TrustedProxies.parse(null).isEmpty()).isTrue();
        assertThat(TrustedProxies.none().contains("10.0.0.1")).isFalse();
        assertThat(TrustedProxies.parse("0.0.0.0/0").contains("203.0.113.9")).isTrue();
    }

    @Test
    void hostNamesAndMalformedEntriesAreRejectedAllAtOnce() {
        assertThatThrownBy(() -> TrustedProxies.parse("10.0.0.0/8, proxy.example.com, 10.0.0.0/33, 300.1.1.1, ::1/129"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'proxy.example.com'").hasMessageContaining("'10.0.0.0/33'")
                .hasMessageContaining("'300.1.1.1'").hasMessageContaining("'::1/129'")
                .hasMessageNotContaining("'10.0.0.0/8'");
    }

    @Test
    void nonLiteralPeersAreNeverTrusted() {
        TrustedProxies p = TrustedProxies.parse("127.0.0.0/8");
        assertThat(p.contains("localhost")).isFalse();
        assertThat(p.contains(null)).isFalse();
        assertThat(p.contains("")).isFalse();
    }
}
