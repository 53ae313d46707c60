package io.fashionstream.worker.records;

import io.fashionstream.core.FashionClass;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** The optional {@code label} header of an input record: its true class, for accuracy tracking. */
public final class LabelHeader {
    public static final String NAME = "label";

    private LabelHeader() {
    }

    /** The class the last {@code label} header names, or null when there is none. */
    public static FashionClass read(Headers headers) throws InvalidLabelException {
        Header header = headers.lastHeader(NAME);
        if (header == null) {
            return null;
        }
        byte[] raw = header.value();
        if (raw == null || raw.length == 0) {
            throw new InvalidLabelException("label header is empty");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidLabelException("label header is not UTF-8 text (" + raw.length + " bytes)");
        }
        try {
            return FashionClass.parse(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidLabelException("label header: " + e.getMessage());
        }
    }
}
