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
    void aTokenLoggedWithoutItsHeaderIsALeak() {
        String headless = JWT.substring(JWT.indexOf('.') + 1);
        assertThat(LogScanner.scan(List.of("{\"reason\":\"bad token " + headless + "\"}"), List.of(JWT))).isNotEmpty();
    }

    @Test
    void theLast24CharactersOfASignatureAreALeakAnd23AreNot() {
        String tail = JWT.substring(JWT.length() - 24);
        assertThat(LogScanner.scan(List.of("{\"reason\":\"..." + tail + "\"}"), List.of(JWT))).hasSize(1);
        assertThat(LogScanner.scan(List.of("{\"reason\":\"..." + tail.substring(1) + "\"}"), List.of(JWT))).isEmpty();
    }

    @Test
    void aSecretInStandardBase64IsALeakWhereverItStartsInTheEncodedText() {
        for (String before : List.of("", "x", "xy")) {
            String encoded = java.util.Base64.getEncoder().encodeToString((before + "Bearer " + JWT + "\n").getBytes());
            assertThat(LogScanner.scan(List.of("{\"header\":\"" + encoded + "\"}"), List.of(JWT))).as(before).isNotEmpty();
        }
    }

    @Test
    void aJwtNobodyRecordedIsStillALeak() {
        assertThat(LogScanner.scan(List.of("token=" + JWT), List.of())).singleElement()
                .satisfies(l -> assertThat(l.hint()).contains("a JWT header or payload"));
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
