package io.github.aksauthproxy.observe;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import net.logstash.logback.composite.AbstractJsonProvider;
import org.slf4j.event.KeyValuePair;

/**
 * A log line's key-value pairs as top-level fields, each value written by its kind: strings, booleans and numbers
 * as themselves, {@code null} and empty {@code Optional}s as {@code null}, collections, arrays and maps element by
 * element, anything else as its {@code toString} ({@code Instant} and {@code Duration} in ISO 8601; a {@code Path},
 * though iterable, as the path).
 *
 * <p>Replaces logstash's provider, which hands values to Jackson's object mapper: that one writes nothing at all
 * for a {@code java.time} value (the whole line is lost), and writes any other object field by field, so a record
 * whose {@code toString} hides a secret would show it.
 */
final class FieldValuesJsonProvider extends AbstractJsonProvider<ILoggingEvent> {
    /** Nested collections deeper than this are written as their {@code toString}. */
    private static final int MAX_DEPTH = 4;

    @Override
    public void writeTo(JsonGenerator generator, ILoggingEvent event) throws IOException {
        if (event.getKeyValuePairs() == null) {
            return;
        }
        for (KeyValuePair pair : event.getKeyValuePairs()) {
            if (pair.key != null) {
                generator.writeFieldName(pair.key);
                write(generator, pair.value, 0);
            }
        }
    }

    private static void write(JsonGenerator generator, Object value, int depth) throws IOException {
        Object v = value instanceof Optional<?> o ? o.orElse(null) : value;
        if (v == null) {
            generator.writeNull();
        } else if (v instanceof Boolean b) {
            generator.writeBoolean(b);
        } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            generator.writeNumber(((Number) v).longValue());
        } else if (v instanceof Double || v instanceof Float) {
            generator.writeNumber(((Number) v).doubleValue());
        } else if (v instanceof BigDecimal d) {
            generator.writeNumber(d);
        } else if (v instanceof BigInteger i) {
            generator.writeNumber(i);
        } else if (depth < MAX_DEPTH && (v instanceof Collection<?> || v instanceof Object[])) {
            generator.writeStartArray();
            for (Object item : v instanceof Object[] array ? Arrays.asList(array) : (Collection<?>) v) {
                write(generator, item, depth + 1);
            }
            generator.writeEndArray();
        } else if (depth < MAX_DEPTH && v instanceof Map<?, ?> map) {
            generator.writeStartObject();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                generator.writeFieldName(String.valueOf(e.getKey()));
                write(generator, e.getValue(), depth + 1);
            }
            generator.writeEndObject();
        } else {
            generator.writeString(String.valueOf(v));
        }
    }
}
