package io.fashionstream.worker.records;

import io.fashionstream.core.FashionClass;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LabelHeaderTest {
    @Test
    void acceptsAnIndexOrAClassName() throws Exception {
        assertEquals(FashionClass.ANKLE_BOOT, LabelHeader.read(headers("9")));
        assertEquals(FashionClass.ANKLE_BOOT, LabelHeader.read(headers("Ankle boot")));
        assertEquals(FashionClass.T_SHIRT_TOP, LabelHeader.read(headers("t-shirt/top")));
    }

    @Test
    void noHeaderMeansNoLabel() throws Exception {
        assertNull(LabelHeader.read(new RecordHeaders()));
    }

    @Test
    void unreadableLabelsAreRejected() {
        assertThrows(InvalidLabelException.class, () -> LabelHeader.read(headers("10")));
        assertThrows(InvalidLabelException.class, () -> LabelHeader.read(headers("hat")));
        assertThrows(InvalidLabelException.class, () -> LabelHeader.read(headers("")));
        RecordHeaders binary = new RecordHeaders();
        binary.add(LabelHeader.NAME, new byte[]{(byte) 0xff, (byte) 0xfe});
        assertThrows(InvalidLabelException.class, () -> LabelHeader.read(binary));
    }

    private static RecordHeaders headers(String label) {
        RecordHeaders h = new RecordHeaders();
        h.add(LabelHeader.NAME, label.getBytes(StandardCharsets.UTF_8));
        return h;
    }
}
