package io.github.aksauthproxy.observe;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.status.Status;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/** The production logback.xml, switched by AKS_AUTH_PROXY_LOG_FORMAT, writes flat JSON or readable lines. */
class LogFormatTest {

    @Test
    void jsonIsTheDefaultWithFlatStableFields() throws Exception {
        List<String> lines = linesWritten(null, log -> {
            log.atInfo().addKeyValue("event", "login.success").addKeyValue("user", "alice@contoso.example")
                    .addKeyValue("sid_hash", "0123456789abcdef").addKeyValue("latency_ms", 12L).log();
            log.warn("a library's own message");
        });
        assertThat(lines).hasSize(2);
        JsonObject event = new JsonObject(lines.get(0));
        assertThat(event.fieldNames()).containsExactly("time", "level", "logger", "event", "user", "sid_hash", "latency_ms");
        assertThat(event.getString("time")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(event.getString("level")).isEqualTo("INFO");
        assertThat(event.getString("logger")).isEqualTo("test.logger");
        assertThat(event.getString("event")).isEqualTo("login.success");
        assertThat(event.getLong("latency_ms")).isEqualTo(12L);
        JsonObject library = new JsonObject(lines.get(1));
        assertThat(library.fieldNames()).containsExactly("time", "level", "logger", "msg");
        assertThat(library.getString("msg")).isEqualTo("a library's own message");
    }

    /** A type whose {@code toString} hides its secret, as the service's secret types do. */
    private record Credential(String value) {
        @Override
        public String toString() {
            return "Credential[redacted]";
        }
    }

    /**
     * Whatever a field holds, the event is one JSON line (an {@code Instant} used to make the encoder write nothing
     * at all, so {@code sidecar.token_renewed} never appeared), and an object is written as its {@code toString},
     * never field by field (a record's components would show a secret its {@code toString} hides).
     */
    @Test
    void everyFieldTypeIsWrittenAsJsonOnOneLine() throws Exception {
        Instant at = Instant.parse("2026-01-02T10:00:00.123Z");
        String text = "quote \" backslash \\ newline \n return \r tab \t nul \u0000 bell \u0007 é ☃ 😀 \u2028 end";
        List<String> lines = linesWritten(null, log -> {
            log.atInfo().addKeyValue("event", "sidecar.token_renewed").addKeyValue("expires_at", at).log();
            log.atInfo().addKeyValue("event", "types").addKeyValue("duration", Duration.ofSeconds(90)).addKeyValue("int", 42)
                    .addKeyValue("long", 1L << 40).addKeyValue("double", 0.5).addKeyValue("nan", Double.NaN)
                    .addKeyValue("decimal", new BigDecimal("1.25")).addKeyValue("yes", true).addKeyValue("nothing", (Object) null)
                    .addKeyValue("list", List.of("a", 1, at)).addKeyValue("map", Map.of("k", at))
                    .addKeyValue("optional", Optional.of("x")).addKeyValue("empty", Optional.empty())
                    .addKeyValue("date", LocalDate.of(2026, 1, 2)).addKeyValue("path", Path.of("/var/run/token"))
                    .addKeyValue("credential", new Credential("s3cr3t-value")).addKeyValue("bytes", new byte[] {1, 2, 3}).log();
            log.atInfo().addKeyValue("event", "text").addKeyValue("reason", text).log();
        });
        assertThat(lines).hasSize(3).allSatisfy(l -> assertThat(l).doesNotContainPattern("[\\x00-\\x1f]"));
        assertThat(new JsonObject(lines.get(0)).getString("expires_at")).isEqualTo("2026-01-02T10:00:00.123Z");
        JsonObject types = new JsonObject(lines.get(1));
        assertThat(types.fieldNames()).containsExactly("time", "level", "logger", "event", "duration", "int", "long", "double", "nan",
                "decimal", "yes", "nothing", "list", "map", "optional", "empty", "date", "path", "credential", "bytes");
        assertThat(types.getString("duration")).isEqualTo("PT1M30S");
        assertThat(types.getValue("int")).isEqualTo(42);
        assertThat(types.getValue("long")).isEqualTo(1L << 40);
        assertThat(types.getValue("double")).isEqualTo(0.5);
        assertThat(types.getValue("nan")).isEqualTo("NaN");
        assertThat(types.getValue("decimal")).isEqualTo(1.25);
        assertThat(types.getValue("yes")).isEqualTo(true);
        assertThat(types.getValue("nothing")).isNull();
        assertThat(types.getJsonArray("list").encode()).isEqualTo("[\"a\",1,\"2026-01-02T10:00:00.123Z\"]");
        assertThat(types.getJsonObject("map").encode()).isEqualTo("{\"k\":\"2026-01-02T10:00:00.123Z\"}");
        assertThat(types.getValue("optional")).isEqualTo("x");
        assertThat(types.getValue("empty")).isNull();
        assertThat(types.getString("date")).isEqualTo("2026-01-02");
        assertThat(types.getString("path")).isEqualTo("/var/run/token");
        assertThat(types.getString("credential")).isEqualTo("Credential[redacted]");
        assertThat(lines.get(1)).doesNotContain("s3cr3t-value");
        assertThat(types.getString("bytes")).startsWith("[B@");
        assertThat(new JsonObject(lines.get(2)).getString("reason")).isEqualTo(text);
    }

    @Test
    void plainFormatIsOneReadableLinePerEvent() throws Exception {
        List<String> lines = linesWritten("plain", log -> log.atInfo().addKeyValue("event", "logout").addKeyValue("user", "bob").log());
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).matches("\\d{4}-\\d\\d-\\d\\dT[0-9:.]+(Z|[+-]\\d\\d:\\d\\d) INFO  logger event=\"logout\" user=\"bob\"");
    }

    private interface Logging {
        void run(Logger log);
    }

    private static List<String> linesWritten(String format, Logging logging) throws Exception {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter());
        if (format != null) {
            context.putProperty("AKS_AUTH_PROXY_LOG_FORMAT", format);
        }
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(Path.of("src/main/resources/logback.xml").toFile());
            logging.run(context.getLogger("test.logger"));
            assertThat(context.getStatusManager().getCopyOfStatusList()).noneMatch(s -> s.getLevel() >= Status.WARN);
        } finally {
            context.stop();
            System.setOut(original);
        }
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }
}
