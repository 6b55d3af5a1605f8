package io.github.aksauthproxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.aksauthproxy.redirect.RedirectValidator;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The error page's way back in goes only where a sign-in may go, and nothing it shows can become markup. */
class ErrorPageTest {
    static final RedirectValidator REDIRECTS = new RedirectValidator(List.of("apps.example.com"), false);

    @Test
    void signInAgainKeepsAValidTargetAndDropsAnyOther() {
        assertThat(ErrorPage.signInAgain(REDIRECTS, Optional.of("/team/board?view=mine")))
                .isEqualTo("/oauth2/start?rd=%2Fteam%2Fboard%3Fview%3Dmine");
        assertThat(ErrorPage.signInAgain(REDIRECTS, Optional.of("https://apps.example.com/x")))
                .isEqualTo("/oauth2/start?rd=https%3A%2F%2Fapps.example.com%2Fx");
        for (String foreign : List.of("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)",
                "https://apps.example.com@evil.example/")) {
            assertThat(ErrorPage.signInAgain(REDIRECTS, Optional.of(foreign))).as(foreign).isEqualTo("/oauth2/start");
        }
        assertThat(ErrorPage.signInAgain(REDIRECTS, Optional.empty())).isEqualTo("/oauth2/start");
    }

    @Test
    void everyShownValueIsEscaped() {
        String markup = "<b onclick=\"x\">'&";
        String html = ErrorPage.of(403, markup, markup, markup, "/oauth2/start?rd=%2F\"><script>")
                .withSignedInAs(Optional.of(markup)).withCode(Optional.of(markup)).withTryAgain(Optional.of("\"><script>"), 5).html();
        assertThat(html).doesNotContain("<b ").doesNotContain("<script>").doesNotContain("onclick=\"")
                .contains("&lt;b onclick=&quot;x&quot;&gt;&#39;&amp;");
    }
}
