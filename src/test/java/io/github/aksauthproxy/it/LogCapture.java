package io.github.aksauthproxy.it;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Captures every log line (all loggers) while open, rendered as the message, the key-value pairs ({@code event=login.success}) and any exception text. */
final class LogCapture implements AutoCloseable {
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    LogCapture() {
        appender.start();
        root.addAppender(appender);
    }

    synchronized List<String> lines() {
        return appender.list.stream().map(e -> e.getLoggerName() + " " + (e.getFormattedMessage() == null ? "" : e.getFormattedMessage())
                + (e.getKeyValuePairs() == null ? "" : e.getKeyValuePairs().stream().map(kv -> " " + kv.key + "=" + kv.value)
                        .collect(java.util.stream.Collectors.joining()))
                + (e.getThrowableProxy() == null ? "" : " " + e.getThrowableProxy().getClassName() + ": " + e.getThrowableProxy().getMessage()))
                .toList();
    }

    @Override
    public void close() {
        root.detachAppender(appender);
    }
}
