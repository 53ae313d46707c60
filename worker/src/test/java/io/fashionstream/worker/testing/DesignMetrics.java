package io.fashionstream.worker.testing;

import java.util.Map;

/** DESIGN.md's worker metrics, as Prometheus families with the type each must have. */
public final class DesignMetrics {
    /** Counters' families end in {@code _total}; timers are histograms in seconds. */
    public static final Map<String, String> FAMILIES = Map.of(
            "fashion_records_total", "counter",
            "fashion_batch_size", "histogram",
            "fashion_inference_seconds", "histogram",
            "fashion_end_to_end_seconds", "histogram",
            "fashion_predictions_total", "counter",
            "fashion_labeled_total", "counter",
            "fashion_accuracy", "gauge",
            "fashion_model_info", "gauge");

    private DesignMetrics() {
    }
}
