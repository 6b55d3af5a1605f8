package io.github.aksauthproxy.it;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus (Debian's package) on loopback with a config and data directory of its own: it scrapes one target
 * every second and evaluates the given rule file every second. {@link #close()} stops it.
 */
final class PrometheusServer implements AutoCloseable {
    private final Process process;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final String url;

    private PrometheusServer(Process process, Path log, String url) {
        this.process = process;
        this.log = log;
        this.url = url;
    }

    /** @param target host:port of the /metrics to scrape (job "aks-auth-proxy") */
    static PrometheusServer start(Path dir, String target, Path rules) throws Exception {
        Path binary = RequiredBinary.find("prometheus", "prometheus");
        Files.copy(rules, dir.resolve("rules.yaml"));
        Files.writeString(dir.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                  evaluation_interval: 1s
                rule_files: [rules.yaml]
                scrape_configs:
                  - job_name: aks-auth-proxy
                    metrics_path: /metrics
                    static_configs:
                      - targets: ["%s"]
                """.formatted(target));
        int port = ServiceUnderTest.freePort();
        Path log = dir.resolve("prometheus.log");
        Process p = new ProcessBuilder(binary.toString(), "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port, "--log.level=warn")
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PrometheusServer server = new PrometheusServer(p, log, "http://127.0.0.1:" + port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("prometheus exited with " + p.exitValue() + ":\n" + server.output());
            }
            try {
                if (server.http.send(HttpRequest.newBuilder(URI.create(server.url + "/-/ready")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return server;
                }
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            p.waitFor(100, TimeUnit.MILLISECONDS);
        }
        server.close();
        throw new IllegalStateException("prometheus was not ready within 30 s:\n" + server.output());
    }

    /** The whole JSON answer of an instant query, {@code status} "success" or "error" (never thrown). */
    JsonObject query(String promql) {
        return get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    }

    /** Every metric name Prometheus holds. */
    List<String> metricNames() {
        JsonArray names = get("/api/v1/label/__name__/values").getJsonArray("data");
        return names.stream().map(String::valueOf).toList();
    }

    /** The rule groups as Prometheus itself evaluates them (health, lastError per rule). */
    JsonArray ruleGroups() {
        return get("/api/v1/rules").getJsonObject("data").getJsonArray("groups");
    }

    /** Waits until the instant query returns a non-empty result; returns it, or fails when the time is up. */
    JsonArray awaitResult(String promql, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonObject last = null;
        while (System.nanoTime() < deadline) {
            last = query(promql);
            if ("success".equals(last.getString("status")) && !last.getJsonObject("data").getJsonArray("result").isEmpty()) {
                return last.getJsonObject("data").getJsonArray("result");
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no result for " + promql + " within " + timeout + ": " + last + "\n" + output());
    }

    private JsonObject get(String pathAndQuery) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + pathAndQuery)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new JsonObject(r.body());
        } catch (Exception e) {
            throw new AssertionError("GET " + pathAndQuery + " from prometheus failed", e);
        }
    }

    String output() {
        try {
            return Files.readString(log);
        } catch (java.io.IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
