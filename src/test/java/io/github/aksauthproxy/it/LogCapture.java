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

    List<String> lines() {
        return events().stream().map(LogCapture::render).toList();
    }

    /**
     * Lines that say a request failed on the service's side: the router's failure handler ({@code http.error}), Vert.x
     * or Netty reporting an exception (an exception thrown in a callback ends there, the request left hanging), any
     * warning with an exception attached, and errors other than those telling an operator to fix their configuration.
     */
    List<String> unhandled() {
        return events().stream().filter(LogCapture::isUnhandled).map(LogCapture::render).toList();
    }

    void clear() {
        synchronized (appender) {
            appender.list.clear();
        }
    }

    /** A copy, taken under the lock logback appends under. */
    private List<ILoggingEvent> events() {
        synchronized (appender) {
            return List.copyOf(appender.list);
        }
    }

    private static boolean isUnhandled(ILoggingEvent e) {
        String event = e.getKeyValuePairs() == null ? "" : e.getKeyValuePairs().stream().filter(kv -> kv.key.equals("event"))
                .map(kv -> String.valueOf(kv.value)).findFirst().orElse("");
        boolean framework = e.getLoggerName().startsWith("io.vertx") || e.getLoggerName().startsWith("io.netty");
        boolean warning = e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN);
        return event.equals("http.error") || warning && (framework || e.getThrowableProxy() != null)
                || e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.ERROR) && !event.equals("auth.bad_profile");
    }

    private static String render(ILoggingEvent e) {
        return e.getLoggerName() + " " + (e.getFormattedMessage() == null ? "" : e.getFormattedMessage())
                + (e.getKeyValuePairs() == null ? "" : e.getKeyValuePairs().stream().map(kv -> " " + kv.key + "=" + kv.value)
                        .collect(java.util.stream.Collectors.joining()))
                + (e.getThrowableProxy() == null ? "" : " " + e.getThrowableProxy().getClassName() + ": " + e.getThrowableProxy().getMessage());
    }

    @Override
    public void close() {
        root.detachAppender(appender);
    }
}
