package io.github.aksauthproxy.it;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.github.aksauthproxy.observe.AuditLog;
import io.github.aksauthproxy.observe.JsonLogEncoder;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/** The audit lines written while open, rendered by production's JSON encoder. */
final class AuditCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {
    private final JsonLogEncoder encoder = new JsonLogEncoder();
    private final List<JsonObject> lines = new ArrayList<>();
    private final Logger audit = (Logger) LoggerFactory.getLogger(AuditLog.LOGGER);

    AuditCapture() {
        LoggerContext context = audit.getLoggerContext();
        setContext(context);
        encoder.setContext(context);
        encoder.start();
        start();
        audit.addAppender(this);
    }

    @Override
    protected synchronized void append(ILoggingEvent event) {
        lines.add(new JsonObject(new String(encoder.encode(event), StandardCharsets.UTF_8)));
    }

    synchronized List<JsonObject> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void close() {
        audit.detachAppender(this);
        stop();
    }
}
