package io.fashionstream.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class PrintableTest {
    @Test
    void controlCharactersLineSeparatorsAndBidiOverridesAreEscapedOntoOneLine() {
        assertEquals("label\\r\\nfashion.error.reason: ok", Printable.oneLine("label\r\nfashion.error.reason: ok"));
        assertEquals("a\\u0000b\\u001b[31m\\u2028c\\u202etxt.exe", Printable.oneLine("a\u0000b\u001b[31m\u2028c\u202etxt.exe"));
        assertEquals("tab\\there", Printable.oneLine("tab\there"));
    }

    @Test
    void aTrustedMessageIsCollapsedOntoOneLine() {
        assertEquals("Invalid value 2 for configuration acks: String must be one of: all, -1, 0, 1",
                Printable.collapsed("Invalid value 2 for configuration acks:\n   String must be one of: all, -1, 0, 1 "));
        assertEquals("", Printable.collapsed(null));
    }

    @Test
    void plainTextIsReturnedAsItIs() {
        String plain = "unknown label 'hat': expected 0-9 or a class name (é, 漢字 stay)";
        assertSame(plain, Printable.oneLine(plain));
        assertNull(Printable.oneLine(null));
    }
}
