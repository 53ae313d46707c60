package io.fashionstream.trainer;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SameDiffChatterTest {
    @Test
    void dropsSameDiffsOpLinesAndPassesEverythingElse() {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            SameDiffChatter.silence();
            SameDiffChatter.silence(); // once is enough: a second call does not wrap again
            System.out.println("Added differentiated op conv2d");
            System.out.println("Epoch 1/10");
            System.out.print("no newline");
        } finally {
            System.setOut(original);
        }
        assertEquals("Epoch 1/10" + System.lineSeparator() + "no newline", captured.toString(StandardCharsets.UTF_8));
    }
}
