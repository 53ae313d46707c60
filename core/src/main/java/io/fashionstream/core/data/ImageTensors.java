package io.fashionstream.core.data;

import io.fashionstream.core.FashionClass;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Turns Fashion-MNIST-convention pixels into the networks' input and label tensors. */
public final class ImageTensors {
    private static final float SCALE = 1f / 255f;

    private ImageTensors() {
    }

    /**
     * Pixels of images {@code [from, from + count)} as a {@code [count, 1, rows, cols]} float tensor in
     * [0, 1]; when {@code flip[i]} is set, image {@code i} is mirrored left to right.
     */
    public static INDArray features(LabelledImages images, int[] order, int from, int count, boolean[] flip) {
        int rows = images.rows();
        int cols = images.cols();
        int n = rows * cols;
        float[] buffer = new float[count * n];
        byte[] pixels = images.pixels();
        for (int i = 0; i < count; i++) {
            int src = order[from + i] * n;
            int dst = i * n;
            boolean mirror = flip != null && flip[i];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    int sc = mirror ? cols - 1 - c : c;
                    buffer[dst + r * cols + c] = (pixels[src + r * cols + sc] & 0xff) * SCALE;
                }
            }
        }
        return Nd4j.create(buffer, new long[]{count, 1, rows, cols}, DataType.FLOAT);
    }

    /** One-hot labels of images {@code order[from .. from + count)} as a {@code [count, 10]} tensor. */
    public static INDArray oneHotLabels(LabelledImages images, int[] order, int from, int count) {
        float[] buffer = new float[count * FashionClass.COUNT];
        for (int i = 0; i < count; i++) {
            buffer[i * FashionClass.COUNT + images.labels()[order[from + i]]] = 1f;
        }
        return Nd4j.create(buffer, new long[]{count, FashionClass.COUNT}, DataType.FLOAT);
    }

    /** {@code 0, 1, ..., size - 1}. */
    public static int[] identityOrder(int size) {
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        return order;
    }
}
