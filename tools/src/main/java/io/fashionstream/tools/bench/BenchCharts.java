package io.fashionstream.tools.bench;

import io.fashionstream.worker.config.WorkerConfig;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import javax.imageio.ImageIO;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** The pipeline chart: throughput against batch size (end to end, Kafka ceiling, engine), and p99 at half load. */
final class BenchCharts {
    private static final int W = 640;
    private static final int H = 420;

    private BenchCharts() {
    }

    /** Plots the points that share the most common max wait (plus batch 1) and default decoding, by max batch. */
    static void write(PipelineReport report, Path png) throws IOException {
        List<PipelineReport.Point> points = report.points().stream()
                .filter(p -> p.maxBatch() == 1 || p.maxWaitMs() == commonWait(report))
                .filter(p -> p.decodeThreads() == WorkerConfig.DEFAULT_DECODE_THREADS)
                .filter(p -> p.maxBatch() == 1 || p.commitIntervalMs() == WorkerConfig.DEFAULT_COMMIT_INTERVAL_MS).toList();
        double[] batch = points.stream().mapToDouble(PipelineReport.Point::maxBatch).toArray();

        XYChart throughput = new XYChartBuilder().width(W).height(H)
                .title(report.model() + ": throughput by max batch").xAxisTitle("max batch").yAxisTitle("images/s").build();
        throughput.getStyler().setXAxisLogarithmic(true);
        throughput.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        throughput.addSeries("end to end, saturated", batch,
                points.stream().mapToDouble(p -> p.saturated().imagesPerSec()).toArray()).setMarker(SeriesMarkers.CIRCLE);
        throughput.addSeries("Kafka ceiling (pass-through engine)", batch,
                points.stream().mapToDouble(p -> p.ceiling().imagesPerSec()).toArray()).setMarker(SeriesMarkers.DIAMOND);
        throughput.addSeries("engine (forward pass alone)", batch,
                points.stream().mapToDouble(PipelineReport.Point::engineImagesPerSec).toArray()).setMarker(SeriesMarkers.SQUARE);

        XYChart latency = new XYChartBuilder().width(W).height(H)
                .title("p99 end to end at half the saturated rate").xAxisTitle("max batch").yAxisTitle("ms").build();
        latency.getStyler().setXAxisLogarithmic(true);
        latency.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        latency.addSeries("p99 at 50% load", batch,
                points.stream().mapToDouble(p -> p.halfLoad().p99Ms()).toArray()).setMarker(SeriesMarkers.CIRCLE);
        latency.addSeries("bound: max wait + commit interval + 2 x batch (interval 0: 2 x cycle)", batch,
                points.stream().mapToDouble(PipelineReport.Point::p99BoundMs).toArray()).setMarker(SeriesMarkers.SQUARE);

        BufferedImage canvas = new BufferedImage(2 * W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas.createGraphics();
        g.drawImage(BitmapEncoder.getBufferedImage(throughput), 0, 0, null);
        g.drawImage(BitmapEncoder.getBufferedImage(latency), W, 0, null);
        g.dispose();
        ImageIO.write(canvas, "png", png.toFile());
    }

    private static long commonWait(PipelineReport report) {
        return report.points().stream().filter(p -> p.maxBatch() > 1)
                .collect(java.util.stream.Collectors.groupingBy(PipelineReport.Point::maxWaitMs, java.util.stream.Collectors.counting()))
                .entrySet().stream().max(java.util.Map.Entry.comparingByValue()).map(java.util.Map.Entry::getKey).orElse(0L);
    }
}
