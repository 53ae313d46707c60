package io.fashionstream.worker.records;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.util.Locale;
import java.util.Set;

/**
 * Which of an input's headers travel with its answer. The input topic is untrusted, so no input
 * header may pass for one of the worker's own ({@value #WORKER_NAMESPACE}*: a tool reading the
 * first {@code fashion.error.reason} would otherwise read the sender's), and a result carries only
 * the headers a downstream reader is meant to see: an allow-list, by default the W3C trace context
 * and the {@code label} header (DESIGN: "Result record").
 */
public final class CopiedHeaders {
    /** The prefix of every header the worker writes itself; input headers with it are dropped. */
    public static final String WORKER_NAMESPACE = "fashion.";
    /** The input headers a result carries unless {@code --result-headers} says otherwise. */
    public static final Set<String> DEFAULT_RESULT_HEADERS = Set.of("traceparent", "tracestate", "baggage", LabelHeader.NAME);

    private CopiedHeaders() {
    }

    /** The input's headers for its dead letter: all of them but those in the worker's namespace. */
    public static Headers forDeadLetter(Headers input) {
        RecordHeaders copy = new RecordHeaders();
        for (Header h : input) {
            if (!isWorkers(h.key())) {
                copy.add(h);
            }
        }
        return copy;
    }

    /** The input's headers for its result: those named in {@code allowed}, never one in the worker's namespace. */
    public static Headers forResult(Headers input, Set<String> allowed) {
        RecordHeaders copy = new RecordHeaders();
        for (Header h : input) {
            if (allowed.contains(h.key()) && !isWorkers(h.key())) {
                copy.add(h);
            }
        }
        return copy;
    }

    /** Whether a header name is in the worker's own namespace (case ignored: Kafka header names are not). */
    public static boolean isWorkers(String name) {
        return name.toLowerCase(Locale.ROOT).startsWith(WORKER_NAMESPACE);
    }
}
