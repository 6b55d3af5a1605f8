package io.github.aksauthproxy.http;

import static io.github.aksauthproxy.http.Responses.escape;

/**
 * The one look of every HTML page the service shows (who am I, error pages, signed out): plain semantic markup
 * with one small inline style sheet, readable without scripts or styles, allowed by the pages' Content-Security-Policy
 * ({@code style-src 'unsafe-inline'}, nothing else).
 */
final class PageLayout {
    private static final String STYLE = "body{font-family:system-ui,sans-serif;max-width:50em;margin:2em auto;padding:0 1em;"
            + "line-height:1.5}table{border-collapse:collapse;margin:1em 0}caption{text-align:left;font-weight:bold}"
            + "th,td{border:1px solid #888;padding:.3em .6em;text-align:left;vertical-align:top}"
            + "a.action{display:inline-block;padding:.4em 1em;border-radius:.3em;background:#0b5cad;color:#fff;"
            + "text-decoration:none;font-weight:bold}a.action:focus,a.action:hover{background:#084683}"
            + "ul.next{list-style:none;padding-left:0}ul.next li{margin:.5em 0}";

    private PageLayout() {
    }

    /**
     * @param title plain text, escaped here
     * @param main the page's content as HTML, every value in it already escaped by the caller
     */
    static String document(String title, String main) {
        return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title) + " - aks-auth-proxy</title>"
                + "<meta name=\"viewport\" content=\"width=device-width\"><style>" + STYLE + "</style></head><body><main>"
                + main + "</main></body></html>";
    }
}
