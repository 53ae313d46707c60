package io.fashionstream.trainer;

import io.fashionstream.core.FashionClass;
import io.fashionstream.core.model.ModelCard;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Draws a model's training curves and confusion matrix side by side into one PNG. */
final class ModelCharts {
    private static final int W = 560;
    private static final int H = 460;

    private ModelCharts() {
    }

    static void write(ModelCard card, Path png) throws IOException {
        List<ModelCard.EpochStats> history = card.training().history();
        List<Integer> epochs = new ArrayList<>();
        List<Double> trainLoss = new ArrayList<>();
        List<Double> valLoss = new ArrayList<>();
        List<Double> trainAcc = new ArrayList<>();
        List<Double> valAcc = new ArrayList<>();
        for (ModelCard.EpochStats e : history) {
            epochs.add(e.epoch());
            trainLoss.add(e.trainLoss());
            valLoss.add(e.validationLoss());
            trainAcc.add(e.trainAccuracy());
            valAcc.add(e.validationAccuracy());
        }
        XYChart loss = new XYChartBuilder().width(W).height(H).title(card.name() + ": loss")
                .xAxisTitle("epoch").yAxisTitle("cross-entropy").build();
        loss.addSeries("train", epochs, trainLoss);
        loss.addSeries("validation", epochs, valLoss);
        XYChart accuracy = new XYChartBuilder().width(W).height(H)
                .title(String.format("%s: accuracy (test %.4f)", card.name(), card.testAccuracy()))
                .xAxisTitle("epoch").yAxisTitle("accuracy").build();
        accuracy.addSeries("train", epochs, trainAcc);
        accuracy.addSeries("validation", epochs, valAcc);

        HeatMapChart confusion = new HeatMapChartBuilder().width(W + 140).height(H)
                .title(card.name() + ": confusion matrix (test split)").build();
        confusion.getStyler().setShowValue(true);
        confusion.getStyler().setXAxisLabelRotation(45);
        confusion.getStyler().setRangeColors(new Color[]{Color.WHITE, new Color(0x2b, 0x6c, 0xb0)});
        List<String> names = new ArrayList<>();
        for (FashionClass c : FashionClass.values()) {
            names.add(c.displayName());
        }
        List<Number[]> cells = new ArrayList<>();
        long[][] cm = card.confusionMatrix();
        for (int t = 0; t < cm.length; t++) {
            for (int p = 0; p < cm[t].length; p++) {
                // x = predicted, y = truth (drawn bottom-up, so reverse rows to read top-down)
                cells.add(new Number[]{p, cm.length - 1 - t, cm[t][p]});
            }
        }
        List<String> reversed = new ArrayList<>(names);
        java.util.Collections.reverse(reversed);
        confusion.addSeries("count", names, reversed, cells);
        confusion.setXAxisTitle("predicted");
        confusion.setYAxisTitle("true");

        List<Chart<?, ?>> charts = List.of(loss, accuracy, confusion);
        int width = 0;
        for (Chart<?, ?> c : charts) {
            width += c.getWidth();
        }
        BufferedImage canvas = new BufferedImage(width, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas.createGraphics();
        int x = 0;
        for (Chart<?, ?> c : charts) {
            g.drawImage(BitmapEncoder.getBufferedImage(c), x, 0, null);
            x += c.getWidth();
        }
        g.dispose();
        ImageIO.write(canvas, "png", png.toFile());
    }
}
