package io.github.aksauthproxy.observe;

import net.logstash.logback.composite.loggingevent.LogLevelJsonProvider;
import net.logstash.logback.composite.loggingevent.LoggerNameJsonProvider;
import net.logstash.logback.composite.loggingevent.LoggingEventFormattedTimestampJsonProvider;
import net.logstash.logback.composite.loggingevent.MessageJsonProvider;
import net.logstash.logback.composite.loggingevent.StackTraceJsonProvider;
import net.logstash.logback.encoder.LoggingEventCompositeJsonEncoder;

/**
 * One flat JSON object per log line, the same for the service log and the audit log: {@code time} (UTC, ISO
 * 8601), {@code level}, {@code logger}, {@code msg} (only when the line has a text message, as library lines do),
 * then the line's key-value pairs as top-level fields ({@code event}, {@code user}, {@code sid_hash}, {@code reason},
 * {@code profile}, {@code latency_ms}, ...; {@link FieldValuesJsonProvider} says how each value is written), then
 * {@code stack_trace} when there is one. Defined in code so that {@code logback.xml} and the test configuration
 * cannot drift apart.
 */
public final class JsonLogEncoder extends LoggingEventCompositeJsonEncoder {
    public JsonLogEncoder() {
        net.logstash.logback.composite.JsonProviders<ch.qos.logback.classic.spi.ILoggingEvent> providers = getProviders();
        LoggingEventFormattedTimestampJsonProvider time = new LoggingEventFormattedTimestampJsonProvider();
        time.setFieldName("time");
        time.setTimeZone("UTC");
        time.setPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'");
        providers.addProvider(time);
        LogLevelJsonProvider level = new LogLevelJsonProvider();
        level.setFieldName("level");
        providers.addProvider(level);
        LoggerNameJsonProvider logger = new LoggerNameJsonProvider();
        logger.setFieldName("logger");
        providers.addProvider(logger);
        MessageJsonProvider message = new MessageJsonProvider();
        message.setFieldName("msg");
        providers.addProvider(message);
        providers.addProvider(new FieldValuesJsonProvider());
        StackTraceJsonProvider stack = new StackTraceJsonProvider();
        stack.setFieldName("stack_trace");
        providers.addProvider(stack);
    }
}
