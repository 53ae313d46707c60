package io.fashionstream.trainer;

import io.fashionstream.core.Json;
import io.fashionstream.core.model.ModelFiles;
import io.fashionstream.core.model.ModelsDirectory;
import io.fashionstream.core.onnx.OnnxExport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code export}: writes a DL4J model file as ONNX beside it ({@code models/simple.zip} →
 * {@code models/simple.onnx}) and records the file's SHA-256 in the model's card. Training does
 * this itself; the command is for model files made elsewhere, or after the exporter changed.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Export a trained DL4J model to ONNX (one float32 input [N,1,28,28], one output [N,10]).")
final class ExportCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "a model file (models/simple.zip) or a name in the installation's models/ folder")
    String model;

    @Option(names = "--json", description = "print the summary as one JSON object on the last line")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Path zip = ModelFiles.resolve(model, ModelsDirectory.installed(TrainerCli.class));
        ModelFiles.LoadedModel loaded = ModelFiles.load(zip);
        Path onnx = ModelFiles.exportOnnx(loaded, zip);
        String sha256 = ModelFiles.sha256(onnx);
        System.out.printf("Wrote %s (opset %d, input '%s' [N,1,28,28], output '%s' [N,10]); SHA-256 %s%s%n", onnx,
                OnnxExport.OPSET, OnnxExport.INPUT, OnnxExport.OUTPUT, sha256,
                loaded.card().isPresent() ? ", recorded in " + ModelFiles.cardPath(zip) : "");
        if (json) {
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("model", loaded.name());
            summary.put("version", loaded.version());
            summary.put("onnx", onnx.toString());
            summary.put("onnxSha256", sha256);
            System.out.println(Json.line(summary));
        }
        return 0;
    }
}
