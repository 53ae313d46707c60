package io.fashionstream.core.onnx;

/** A network the ONNX export does not cover: the message names the layer and what is covered. */
public class OnnxExportException extends Exception {
    private static final long serialVersionUID = 1L;

    public OnnxExportException(String message) {
        super(message);
    }

    public OnnxExportException(String message, Throwable cause) {
        super(message, cause);
    }
}
