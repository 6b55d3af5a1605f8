package io.github.aksauthproxy.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The claims an Entra-issued AKS access token carries besides those the stand-in sets, with values of Entra's shapes
 * and lengths (Microsoft identity platform, "Access token claims reference"), so that the stand-in's tokens are about
 * 2.5 KB like Entra's for a user in a few groups. Only the sizes matter here; no claim is read by the service.
 */
final class EntraSizedClaims {
    private EntraSizedClaims() {
    }

    static Map<String, Object> claims() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("ver", "1.0");
        c.put("acr", "1");
        c.put("aio", "AVQAq/8ZAAAAb2X4m9Y5c8YtQ0cZk3nJ1JqW6m0Zk7M4p0Qbq8nq2dG5w8vUqVZy7w9jJ8rM3sUu2kZ3yB8xFq1n0c4pS6tRr7mN2hV9"
                + "aK5lE3oW1zG0uI7yT4bC6dF8gH2jL9kMn0pQ3rS5tU7vW9xY1zA3bC5d");
        c.put("amr", List.of("pwd", "mfa"));
        c.put("appid", "04b07795-8ddb-461a-bbee-02f9e1bf7b46");
        c.put("appidacr", "0");
        c.put("deviceid", "5e1c7a35-2b0f-4d3c-9e8a-7b6c5d4e3f21");
        c.put("family_name", "Example");
        c.put("given_name", "Alice");
        c.put("idtyp", "user");
        c.put("ipaddr", "203.0.113.187");
        c.put("onprem_sid", "S-1-5-21-1004336348-1177238915-682003330-512874");
        c.put("puid", "10032001A2B3C4D5");
        c.put("rh", "0.AXEAv4j5cvGGr0GRqy180BHbRzUjyzVEAyZGlGOT1egaDhsNAC5xAA.");
        c.put("scp", "user.read");
        c.put("unique_name", "alice@contoso.example");
        c.put("uti", "Zk3nJ1JqW6m0Zk7M4p0QAA");
        c.put("wids", List.of("b79fbf4d-3ef9-4689-8143-76b194e85509", "88d8e3e3-8f55-4a1e-953a-9b9898b8876b"));
        c.put("xms_cc", List.of("CP1"));
        c.put("xms_ftd", "Wq8nq2dG5w8vUqVZy7w9jJ8rM3sUu2kZ3yB8xFq1n0c4pS6tRr7mN2hV9aK5lE3oW1zG0uI7yT4bC6dF8gH2jL9k");
        c.put("xms_idrel", "1 12");
        c.put("xms_tcdt", 1_614_700_000);
        c.put("xms_pdl", "EUR");
        c.put("xms_pl", "en-US");
        c.put("xms_tpl", "en-US");
        c.put("ctry", "DE");
        c.put("tenant_region_scope", "EU");
        c.put("in_corp", "true");
        return c;
    }
}
