package io.fashionstream.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import io.fashionstream.core.Json;
import io.fashionstream.core.model.Architecture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerCliTest {
    @TempDir
    Path dir;

    @Test
    void badArgumentsExitWithTwo() {
        assertEquals(2, run("train"));
        assertEquals(2, run("train", "--model", "resnet"));
        assertEquals(2, run("train", "--model", "simple", "--epochs", "-1"));
        assertEquals(2, run("train", "--model", "simple", "--epochs", "0"));
        assertEquals(2, run("train", "--model", "simple", "--batch", "many"));
        assertEquals(2, run("frobnicate"));
    }

    /** The help spells out the defaults, which once went stale (complex2 15 where it ran 22). */
    @Test
    void trainHelpGivesEveryModelsOwnDefaultEpochs() {
        Run help = capture("train", "--help");
        String text = help.out.replaceAll("\\s+", " ");
        for (Architecture a : Architecture.values()) {
            assertTrue(text.contains(a.modelName() + " " + a.defaultEpochs()), a.modelName() + ": " + text);
        }
    }

    @Test
    void missingOrInvalidModelFilesExitWithTwoAndOneLine() throws Exception {
        Run missing = capture("evaluate", "--model", dir.resolve("none.zip").toString());
        assertEquals(2, missing.code);
        assertTrue(missing.err.contains("does not exist"), missing.err);
        assertEquals(1, missing.err.strip().lines().count(), "one line: " + missing.err);

        Path junk = Files.writeString(dir.resolve("junk.zip"), "PK not really");
        Run invalid = capture("evaluate", "--model", junk.toString());
        assertEquals(2, invalid.code);
        assertTrue(invalid.err.contains("not a DL4J model"), invalid.err);
    }

    @Test
    void missingTrainingDataExitsWithTwoAndSaysHowToGetIt() {
        Run r = capture("train", "--model", "simple", "--data", dir.toString());
        assertEquals(2, r.code);
        assertTrue(r.err.contains("dataset-fashion-mnist"), r.err);
    }

    /** A casual run writes a run folder; overwriting a model (the committed ones) must be asked for. */
    @Test
    void anOutFolderThatHoldsTheModelAlreadyNeedsReplace() throws Exception {
        Files.writeString(dir.resolve("simple.zip"), "a committed model");
        Run r = capture("train", "--model", "simple", "--out", dir.toString());
        assertEquals(2, r.code);
        assertTrue(r.err.contains("--replace"), r.err);
        assertEquals("a committed model", Files.readString(dir.resolve("simple.zip")), "left as it was");
        Run help = capture("train", "--help");
        assertTrue(help.out.contains("runs/<model>-<UTC time>"), help.out);
    }

    @Test
    void resumeWithoutACheckpointExitsWithTwoAndNamesTheDirectory() {
        Run r = capture("train", "--model", "simple", "--resume", "--checkpoint", dir.resolve("none").toString());
        assertEquals(2, r.code);
        assertTrue(r.err.contains("no checkpoint in " + dir.resolve("none")), r.err);
        assertEquals(2, run("train", "--model", "simple", "--photo-share", "1.5"));
    }

    @Test
    void evaluateJsonEndsWithOneObject() throws Exception {
        Path model = Path.of("../models/simple.zip");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(model), "models/simple.zip not trained yet");
        Run r = capture("evaluate", "--model", model.toString(), "--limit", "500", "--json");
        assertEquals(0, r.code, r.err);
        String[] lines = r.out.strip().split("\n");
        JsonNode summary = Json.MAPPER.readTree(lines[lines.length - 1]);
        assertEquals("simple", summary.get("model").asText());
        assertEquals(500, summary.get("samples").asInt());
        assertTrue(summary.get("accuracy").asDouble() > 0.8);
    }

    @Test
    void exportWritesTheOnnxFileBesideTheModelAndRecordsItInTheCard() throws Exception {
        Files.copy(Path.of("../models/complex1.zip"), dir.resolve("complex1.zip"));
        Files.copy(Path.of("../models/complex1.json"), dir.resolve("complex1.json"));
        Run r = capture("export", "--model", dir.resolve("complex1.zip").toString(), "--json");
        assertEquals(0, r.code, r.err);
        String[] lines = r.out.strip().split("\n");
        JsonNode summary = Json.MAPPER.readTree(lines[lines.length - 1]);
        Path onnx = dir.resolve("complex1.onnx");
        assertEquals(onnx.toString(), summary.get("onnx").asText());
        assertEquals(Files.size(Path.of("../models/complex1.onnx")), Files.size(onnx), "the same export as the committed one");
        JsonNode card = Json.MAPPER.readTree(dir.resolve("complex1.json").toFile());
        assertEquals(summary.get("onnxSha256").asText(), card.get("onnxSha256").asText());

        Path junk = Files.writeString(dir.resolve("junk.zip"), "PK not really");
        Run invalid = capture("export", "--model", junk.toString());
        assertEquals(2, invalid.code);
        assertTrue(invalid.err.contains("not a DL4J model"), invalid.err);
    }

    private record Run(int code, String out, String err) {
    }

    private static int run(String... args) {
        return capture(args).code;
    }

    private static Run capture(String... args) {
        PrintStream oldOut = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true));
            int code = TrainerCli.commandLine()
                    .setErr(new java.io.PrintWriter(err, true))
                    .execute(args);
            return new Run(code, out.toString(), err.toString());
        } finally {
            System.setOut(oldOut);
        }
    }
}
