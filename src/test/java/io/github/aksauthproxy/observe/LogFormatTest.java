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
import java.nio.file.Path;
import java.util.List;
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
