package io.github.aksauthproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard and the alerts the chart ships, against what the service really exports: a real Prometheus
 * on loopback scrapes the in-process service's internal /metrics every second while a browser signs in, the ingress
 * asks /oauth2/auth and Entra refuses a sign-in; then every dashboard query and every alert expression runs through
 * Prometheus' HTTP API. A query that errors, or that names a series Prometheus never scraped (a typo, a histogram
 * suffix, a metric renamed), fails the test.
 */
class PrometheusDashboardTest {
    static final Path DASHBOARD = Path.of("helm/aks-auth-proxy/files/grafana-dashboard.json");
    /**
     * Grafana's variables as Grafana would fill them here: every namespace and job; $__rate_interval is at least four
     * scrape intervals (1 s here), so 15 s always holds several samples of this short run.
     */
    static final Map<String, String> GRAFANA_VARIABLES = Map.of("$__rate_interval", "15s", "$__interval", "1s", "$__range", "1m",
            "$namespace", ".*", "$job", ".*");
    /** PromQL words that are not series names. */
    static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or",
            "unless", "offset", "inf", "nan");

    @TempDir
    static Path dir;
    static EntraStandIn idp;
    static ServiceUnderTest service;
    static PrometheusServer prometheus;

    @BeforeAll
    static void scrapeTheServiceWhileItWorks() throws Exception {
        idp = new EntraStandIn();
        service = ServiceUnderTest.start(idp, dir, new MutableClock(Instant.now()), Map.of(
                "AKS_AUTH_PROXY_TRUSTED_PROXIES", "127.0.0.1/32",
                "AKS_AUTH_PROXY_COOKIE_SECRETS_ROTATE_BY", java.time.LocalDate.now(java.time.ZoneOffset.UTC).plusYears(1).toString()));
        Path promDir = Files.createDirectories(dir.resolve("prometheus"));
        prometheus = PrometheusServer.start(promDir, "127.0.0.1:" + service.config.internalPort(), PrometheusRulesTest.RULES);

        TestBrowser browser = new TestBrowser(idp.trust());
        browser.headers.put("X-Real-IP", "203.0.113.7");
        browser.follow(service.start("/app"));
        assertThat(browser.cookies).containsKey(SignInFlowTest.SESSION);
        for (int i = 0; i < 3; i++) {
            assertThat(browser.get(service.auth()).statusCode()).isEqualTo(200);
        }
        assertThat(new TestBrowser(idp.trust()).get(service.auth()).statusCode()).isEqualTo(401);
        assertThat(browser.get(service.publicUrl + "/oauth2/callback?error=access_denied&error_description=AADSTS50105%3A+not+assigned&state=x")
                .statusCode()).isEqualTo(403);
        assertThat(browser.get(service.internalUrl + "/readyz").statusCode()).isEqualTo(200);
        System.gc(); // the JVM's GC series appear with the first collection

        Duration wait = Duration.ofSeconds(30);
        // Two samples of each series made above, so rate() and increase() over the window have something to work on.
        for (String lazy : List.of("aks_auth_proxy_session_starts_total >= 1",
                "count_over_time(aks_auth_proxy_http_requests_seconds_count{route=\"/oauth2/auth\",status=\"200\"}[1m]) >= 2",
                "count_over_time(aks_auth_proxy_http_requests_seconds_count{route=\"/oauth2/callback\",status=\"403\"}[1m]) >= 2",
                "count_over_time(aks_auth_proxy_idp_errors_total[1m]) >= 2",
                "count_over_time(jvm_gc_pause_seconds_count[1m]) >= 2")) {
            prometheus.awaitResult(lazy, wait);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (prometheus != null) {
            prometheus.close();
        }
        if (service != null) {
            service.close();
        }
        if (idp != null) {
            idp.close();
        }
    }

    @Test
    void everyDashboardQueryRunsOnSeriesTheServiceExportsAndFindsData() throws Exception {
        Map<String, String> queries = dashboardQueries();
        assertThat(queries).hasSizeGreaterThan(20);
        Set<String> scraped = Set.copyOf(prometheus.metricNames());
        for (Map.Entry<String, String> q : queries.entrySet()) {
            String promql = substituted(q.getValue());
            assertThat(seriesNames(promql)).as(q.getKey() + ": " + promql).isNotEmpty().allSatisfy(name ->
                    assertThat(scraped).as(q.getKey() + ": series " + name + " in " + promql).contains(name));
            JsonObject answer = prometheus.query(promql);
            assertThat(answer.getString("status")).as(q.getKey() + ": " + promql + " -> " + answer).isEqualTo("success");
            assertThat(answer.getJsonObject("data").getJsonArray("result")).as(q.getKey() + ": " + promql + " found nothing").isNotEmpty();
        }
    }

    @Test
    void everyAlertExpressionRunsOnSeriesTheServiceExports() throws Exception {
        Set<String> scraped = Set.copyOf(prometheus.metricNames());
        Map<String, Map<String, Object>> alerts = PrometheusRulesTest.alerts();
        assertThat(alerts).hasSizeGreaterThanOrEqualTo(9);
        for (Map.Entry<String, Map<String, Object>> alert : alerts.entrySet()) {
            String promql = (String) alert.getValue().get("expr");
            assertThat(seriesNames(promql)).as(alert.getKey()).isNotEmpty().allSatisfy(name ->
                    assertThat(scraped).as(alert.getKey() + ": series " + name).contains(name));
            JsonObject answer = prometheus.query(promql);
            assertThat(answer.getString("status")).as(alert.getKey() + " -> " + answer).isEqualTo("success");
        }
        // A healthy service that was scraped trips none of them (the alerts' "for" aside, their conditions are false).
        for (Map.Entry<String, Map<String, Object>> alert : alerts.entrySet()) {
            assertThat(prometheus.query((String) alert.getValue().get("expr")).getJsonObject("data").getJsonArray("result"))
                    .as(alert.getKey() + " on a healthy service").isEmpty();
        }
    }

    /** Prometheus loads the shipped file itself and evaluates every rule in it (every second here) without an error. */
    @Test
    void prometheusEvaluatesEveryShippedRuleWithoutError() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        List<String> unhealthy;
        do {
            unhealthy = new ArrayList<>();
            int rules = 0;
            for (Object g : prometheus.ruleGroups()) {
                for (Object r : ((JsonObject) g).getJsonArray("rules")) {
                    JsonObject rule = (JsonObject) r;
                    rules++;
                    if (!"ok".equals(rule.getString("health"))) {
                        unhealthy.add(rule.getString("name") + ": " + rule.getString("health") + " " + rule.getString("lastError", ""));
                    }
                }
            }
            assertThat(rules).isEqualTo(PrometheusRulesTest.alerts().size());
            if (unhealthy.isEmpty()) {
                return;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("rules not evaluated cleanly: " + unhealthy);
    }

    @Test
    void seriesNamesAreTheIdentifiersOutsideLabelMatchersFunctionsAndGroupings() {
        assertThat(seriesNames("histogram_quantile(0.95, sum by (le, route) (rate(a_bucket{route=\"/x\", job=~\"b_c\"}[15s])))"
                + " / on (job) group_left(pod) max without (instance) (b_total offset 5m) > bool 3 and absent(c)"
                + " or vector(0) - time() < 14 * 86400"))
                .containsExactly("a_bucket", "b_total", "c");
    }

    /** Every query of the dashboard by where it is: panel titles with their refId, and the template variables. */
    static Map<String, String> dashboardQueries() throws Exception {
        JsonObject dashboard = new JsonObject(Files.readString(DASHBOARD));
        Map<String, String> queries = new LinkedHashMap<>();
        List<JsonObject> panels = new ArrayList<>();
        for (Object p : dashboard.getJsonArray("panels")) {
            panels.add((JsonObject) p);
            for (Object nested : ((JsonObject) p).getJsonArray("panels", new JsonArray())) {
                panels.add((JsonObject) nested);
            }
        }
        for (JsonObject panel : panels) {
            for (Object t : panel.getJsonArray("targets", new JsonArray())) {
                JsonObject target = (JsonObject) t;
                queries.put("panel \"" + panel.getString("title") + "\" " + target.getString("refId"), target.getString("expr"));
            }
        }
        Pattern labelValues = Pattern.compile("label_values\\((.*), *[a-z_]+\\)");
        for (Object v : dashboard.getJsonObject("templating").getJsonArray("list")) {
            JsonObject variable = (JsonObject) v;
            if ("query".equals(variable.getString("type"))) {
                Matcher m = labelValues.matcher(variable.getJsonObject("query").getString("query"));
                assertThat(m.matches()).as("variable " + variable.getString("name")).isTrue();
                queries.put("variable " + variable.getString("name"), m.group(1));
            }
        }
        return queries;
    }

    static String substituted(String expr) {
        String out = expr;
        for (Map.Entry<String, String> v : GRAFANA_VARIABLES.entrySet()) {
            out = out.replace(v.getKey(), v.getValue());
        }
        assertThat(out).as("a Grafana variable the test does not fill: " + expr).doesNotContain("$");
        return out;
    }

    /**
     * The series a PromQL expression reads: identifiers left once strings, label matchers, ranges, grouping clauses
     * and function calls are taken out.
     */
    static Set<String> seriesNames(String promql) {
        String s = promql.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
                .replaceAll("\\boffset\\s+\\w+", " ");
        Set<String> names = new LinkedHashSet<>();
        Matcher m = Pattern.compile("(?<![\\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?").matcher(s);
        while (m.find()) {
            if (m.group(2) == null && !KEYWORDS.contains(m.group(1).toLowerCase(java.util.Locale.ROOT))) {
                names.add(m.group(1));
            }
        }
        return names;
    }
}
