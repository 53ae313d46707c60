package io.fashionstream.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FashionClassTest {
    @Test
    void parsesIndicesDisplayNamesAndConstantNames() {
        assertEquals(FashionClass.ANKLE_BOOT, FashionClass.parse("9"));
        assertEquals(FashionClass.ANKLE_BOOT, FashionClass.parse("Ankle boot"));
        assertEquals(FashionClass.ANKLE_BOOT, FashionClass.parse("ankle_boot"));
        assertEquals(FashionClass.T_SHIRT_TOP, FashionClass.parse(" t-shirt/top "));
        assertEquals(FashionClass.T_SHIRT_TOP, FashionClass.parse("0"));
    }

    @Test
    void rejectsWhatIsNotALabel() {
        assertThrows(IllegalArgumentException.class, () -> FashionClass.parse("10"));
        assertThrows(IllegalArgumentException.class, () -> FashionClass.parse("hat"));
        assertThrows(IllegalArgumentException.class, () -> FashionClass.parse(""));
        assertThrows(IllegalArgumentException.class, () -> FashionClass.of(-1));
    }
}
