package io.github.aksauthproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The scanner behind {@link LogsHoldNoSecretsTest} finds what it must, so a clean scan means something. */
class LogScannerTest {
    static final String JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZUBjb250b3NvIn0.c2lnbmF0dXJlLW9mLWEtcmVhbC10b2tlbg";
    static final String COOKIE = "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..iv1234567890ab.cipher-text-of-session.tag";

    @Test
    void aWholeSecretInALineIsReportedWithItsLineNumber() {
        List<String> lines = List.of("{\"event\":\"login.success\"}", "{\"event\":\"x\",\"reason\":\"token " + JWT + "\"}");
        assertThat(LogScanner.scan(lines, List.of(JWT))).extracting(LogScanner.Leak::lineNumber).contains(2);
    }

    @Test
    void aJwtSignatureOrPayloadAloneIsALeak() {
        List<String> lines = List.of("{\"msg\":\"sig c2lnbmF0dXJlLW9mLWEtcmVhbC10b2tlbg\"}");
        assertThat(LogScanner.scan(lines, List.of(JWT))).hasSize(1);
    }

    @Test
    void aCookieValueIsFound() {
        assertThat(LogScanner.scan(List.of("cookie=" + COOKIE), List.of(COOKIE))).isNotEmpty();
    }

    @Test
    void cleanLinesAndShortValuesGiveNothing() {
        List<String> lines = List.of("{\"event\":\"logout\",\"user\":\"alice@contoso.example\",\"sid_hash\":\"0123456789abcdef\"}");
        assertThat(LogScanner.scan(lines, List.of(JWT, COOKIE, "alice"))).isEmpty();
    }

    @Test
    void theReportNeverRepeatsTheSecret() {
        assertThat(LogScanner.scan(List.of(JWT), List.of(JWT))).allSatisfy(l -> assertThat(l.hint()).doesNotContain(JWT.substring(5)));
    }
}
