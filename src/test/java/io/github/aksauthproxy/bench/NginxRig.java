package io.github.aksauthproxy.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * NGINX rendered from bench/nginx/*.template: an ingress with four ingress-like servers, {service, static auth} x
 * {ingress-nginx's default without keepalive to the auth endpoint, keepalive}, and a static protected app; and, in an
 * nginx process of its own, a static auth location answering 200 with the service's headers.
 */
final class NginxRig implements AutoCloseable {
    enum Mode {
        DEFAULT("default", "no keepalive to the auth endpoint (ingress-nginx's default)"),
        KEEPALIVE("keepalive", "upstream keepalive + proxy_http_version 1.1 to the auth endpoint");

        final String label;
        final String meaning;

        Mode(String label, String meaning) {
            this.label = label;
            this.meaning = meaning;
        }
    }

    private final ChildProcess ingress;
    private final ChildProcess staticAuth;
    private final Map<Mode, int[]> ports;

    private NginxRig(ChildProcess ingress, ChildProcess staticAuth, Map<Mode, int[]> ports) {
        this.ingress = ingress;
        this.staticAuth = staticAuth;
        this.ports = ports;
    }

    /** The protected app's URL through the ingress-like server that asks the service ({@code true}) or the static location. */
    String url(Mode mode, boolean service) {
        return "http://127.0.0.1:" + ports.get(mode)[service ? 1 : 0] + "/app";
    }

    /** The static auth endpoint's nginx (master and workers), whose CPU time is compared with the service's. */
    ProcessCpu staticAuthCpu() {
        return ProcessCpu.of(staticAuth.process.toHandle());
    }

    /**
     * Two nginx processes: the ingress ({@code ingress} under {@code prefix}) and the static auth endpoint
     * ({@code static-auth}), each with {@code workers} workers, so each one's CPU time is its own.
     */
    static NginxRig start(Path templates, Path prefix, int workers, int servicePort, Map<String, String> authHeaders) throws Exception {
        int appPort = BenchRun.freePort();
        int staticPort = BenchRun.freePort();
        String server = Files.readString(templates.resolve("ingress-server.conf.template"));
        StringBuilder servers = new StringBuilder();
        Map<Mode, int[]> ports = new EnumMap<>(Mode.class);
        for (Mode mode : Mode.values()) {
            int[] p = {BenchRun.freePort(), BenchRun.freePort()};
            ports.put(mode, p);
            for (int side = 0; side < 2; side++) {
                String label = (side == 1 ? "service" : "static auth") + ", " + mode.meaning;
                servers.append(server.replace("{{LABEL}}", label).replace("{{LISTEN_PORT}}", String.valueOf(p[side]))
                        .replace("{{AUTH_TARGET}}", authTarget(mode, side == 1, servicePort, staticPort))).append('\n');
            }
        }
        StringBuilder staticHeaders = new StringBuilder();
        authHeaders.forEach((k, v) -> {
            if (v.contains("\"") || v.contains("$") || v.contains("\\")) {
                throw new IllegalStateException("header " + k + " has a character the static nginx location cannot repeat verbatim");
            }
            staticHeaders.append("            add_header ").append(k).append(" \"").append(v).append("\";\n");
        });
        String staticBody = Files.readString(templates.resolve("static-auth.conf.template"))
                .replace("{{STATIC_AUTH_PORT}}", String.valueOf(staticPort))
                .replace("{{STATIC_AUTH_HEADERS}}", staticHeaders.toString().stripTrailing());
        String ingressBody = Files.readString(templates.resolve("ingress.conf.template"))
                .replace("{{APP_PORT}}", String.valueOf(appPort)).replace("{{STATIC_AUTH_PORT}}", String.valueOf(staticPort))
                .replace("{{SERVICE_AUTH_PORT}}", String.valueOf(servicePort))
                .replace("{{INGRESS_SERVERS}}", servers.toString().stripTrailing());
        ChildProcess staticAuth = startNginx(templates, prefix.resolve("static-auth"), workers, staticBody);
        ChildProcess ingress;
        try {
            ingress = startNginx(templates, prefix.resolve("ingress"), workers, ingressBody);
        } catch (Exception e) {
            staticAuth.close();
            throw e;
        }
        NginxRig rig = new NginxRig(ingress, staticAuth, ports);
        try {
            staticAuth.awaitReady(() -> ChildProcess.accepts(staticPort), Duration.ofSeconds(20));
            for (int[] p : ports.values()) {
                ingress.awaitReady(() -> ChildProcess.accepts(p[0]) && ChildProcess.accepts(p[1]), Duration.ofSeconds(20));
            }
            rig.checkPasses();
        } catch (Exception e) {
            rig.close();
            throw new IllegalStateException(e.getMessage() + "\nnginx error logs:\n" + errorLog(prefix.resolve("ingress"))
                    + "\n" + errorLog(prefix.resolve("static-auth")), e);
        }
        return rig;
    }

    private static ChildProcess startNginx(Path templates, Path prefix, int workers, String servers) throws IOException {
        for (String d : List.of("tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi")) {
            Files.createDirectories(prefix.resolve(d));
        }
        // Workers of an nginx started by root run as nobody and write their temp files here.
        try (var dirs = Files.walk(prefix)) {
            dirs.forEach(p -> p.toFile().setWritable(true, false));
        }
        String conf = Files.readString(templates.resolve("nginx.conf.template"))
                .replace("{{WORKERS}}", String.valueOf(workers)).replace("{{PREFIX}}", prefix.toString())
                .replace("{{HTTP_SERVERS}}", servers);
        if (conf.contains("{{")) {
            throw new IllegalStateException("unfilled placeholder in the nginx templates: " + conf.substring(conf.indexOf("{{")));
        }
        Path confFile = prefix.resolve("nginx.conf");
        Files.writeString(confFile, conf);
        return ChildProcess.start("nginx " + prefix.getFileName(), List.of(BenchRun.which("nginx"), "-p", prefix.toString(),
                "-e", prefix.resolve("error.log").toString(), "-c", confFile.toString()), Map.of(), prefix.resolve("nginx.out"));
    }

    /** Without a session the service's route must refuse, so the benchmark's 200s prove the auth step ran. */
    private void checkPasses() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        for (Mode mode : Mode.values()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url(mode, true))).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 401) {
                throw new IllegalStateException("nginx -> service without a session answered " + r.statusCode() + ", expected 401");
            }
        }
    }

    private static String authTarget(Mode mode, boolean service, int servicePort, int staticPort) {
        if (mode == Mode.DEFAULT) {
            return "            proxy_http_version          1.1;\n"
                    + "            set $target http://127.0.0.1:" + (service ? servicePort : staticPort) + "/oauth2/auth;";
        }
        return "            proxy_http_version          1.1;\n"
                + "            proxy_set_header            Connection \"\";\n"
                + "            set $target http://" + (service ? "auth_service_keepalive" : "auth_static_keepalive") + "/oauth2/auth;";
    }

    private static String errorLog(Path prefix) {
        try {
            return Files.readString(prefix.resolve("error.log"));
        } catch (IOException e) {
            return "(none)";
        }
    }

    @Override
    public void close() throws InterruptedException {
        ingress.close();
        staticAuth.close();
    }
}
