package io.fashionstream.worker.records;

import io.fashionstream.worker.fetch.FetchException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageReferenceTest {
    private static ConsumerRecord<byte[], byte[]> record(String value, String... headers) {
        RecordHeaders h = new RecordHeaders();
        for (int i = 0; i < headers.length; i += 2) {
            h.add(headers[i], headers[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        byte[] v = value.getBytes(StandardCharsets.UTF_8);
        return new ConsumerRecord<>("in", 0, 0, 0, TimestampType.CREATE_TIME, 0, v.length, null, v, h, Optional.empty());
    }

    @Test
    void theContentTypeMarksAReferenceInAnyCaseWithParameters() {
        assertTrue(ImageReference.isReference(record("x", "content-type", "text/uri-list")));
        assertTrue(ImageReference.isReference(record("x", "Content-Type", "Text/URI-List; charset=utf-8")));
        assertFalse(ImageReference.isReference(record("x", "content-type", "image/jpeg")));
        assertFalse(ImageReference.isReference(record("x")));
        assertFalse(ImageReference.isReference(record("x", "content-type", "text/uri-list", "content-type", "image/png")),
                "the last one counts");
    }

    @Test
    void theValueIsOneUrlWithCommentsAllowed() throws Exception {
        assertEquals(URI.create("https://cdn.example.com/a.jpg"), ImageReference.url(record(
                "# a catalog photo\r\nhttps://cdn.example.com/a.jpg\r\n", "content-type", "text/uri-list")));
        for (String bad : new String[]{"", "https://a.example/1.jpg\r\nhttps://a.example/2.jpg", "not a url",
                "/relative/path.jpg", "https://" + "a".repeat(9000)}) {
            FetchException e = assertThrows(FetchException.class, () -> ImageReference.url(record(bad)), bad);
            assertEquals(FetchException.Reason.FETCH_FAILED, e.reason());
        }
    }
}
