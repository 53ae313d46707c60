package io.fashionstream.tools.demo;

import io.fashionstream.worker.produce.ImageSender;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SendLogTest {
    private static byte[] key(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theFirstAnswerGetsTheSendTimeAndLaterOnesAreCountedAsAnsweredBefore() {
        SendLog log = new SendLog("bench-");
        log.sent(ImageSender.sequenceKey("bench-", 42), 1_700_000_000_123L);

        assertEquals(1_700_000_000_123L, log.answer(key("bench-0000042")));
        assertEquals(SendLog.ANSWERED_BEFORE, log.answer(key("bench-0000042")));
        assertEquals(1_700_000_000_123L, log.sentAt("bench-0000042"));
    }

    @Test
    void keysItWasNotToldOfAreNotSent() {
        SendLog log = new SendLog("item-");
        log.sent("item-7", 1000);

        assertEquals(SendLog.NOT_SENT, log.answer(key("item-8")));
        assertEquals(SendLog.NOT_SENT, log.answer(key("other-7")));
        assertEquals(SendLog.NOT_SENT, log.answer(key("item-7x")));
        assertEquals(SendLog.NOT_SENT, log.answer(key("item-")));
        assertEquals(SendLog.NOT_SENT, log.answer(key("item-99999999999999999")));
        assertEquals(SendLog.NOT_SENT, log.answer(null));
        assertEquals(SendLog.NOT_SENT, log.sentAt("item-8"));
    }

    @Test
    void inputsFarApartAndResentAreCountedOnce() {
        SendLog log = new SendLog("item-");
        for (long seq : new long[] {0, 65_535, 65_536, 3_000_000, 0}) {
            log.sent("item-" + seq, 5000 + seq);
        }

        assertEquals(4, log.size());
        assertEquals(3_005_000, log.answer(key("item-3000000")));
        assertEquals(70_536, log.answer(key("item-65536")));
        assertEquals(SendLog.NOT_SENT, log.answer(key("item-65537")));
    }

    @Test
    void aKeyWithoutThePrefixAndASequenceIsRefused() {
        SendLog log = new SendLog("item-");

        assertThrows(IllegalArgumentException.class, () -> log.sent("photo-1", 1000));
        assertThrows(IllegalArgumentException.class, () -> log.sent("item-1", 0));
        assertEquals(0, log.size());
    }
}
