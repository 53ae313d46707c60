package io.fashionstream.core;

import java.util.Locale;

/** The ten Fashion-MNIST classes, in label-index order. */
public enum FashionClass {
    T_SHIRT_TOP("T-shirt/top"),
    TROUSER("Trouser"),
    PULLOVER("Pullover"),
    DRESS("Dress"),
    COAT("Coat"),
    SANDAL("Sandal"),
    SHIRT("Shirt"),
    SNEAKER("Sneaker"),
    BAG("Bag"),
    ANKLE_BOOT("Ankle boot");

    /** Number of classes. */
    public static final int COUNT = values().length;

    private final String displayName;

    FashionClass(String displayName) {
        this.displayName = displayName;
    }

    /** The human name used in results and reports, e.g. {@code "Ankle boot"}. */
    public String displayName() {
        return displayName;
    }

    /** The class at a label index. */
    public static FashionClass of(int index) {
        if (index < 0 || index >= COUNT) {
            throw new IllegalArgumentException("label index " + index + " is outside 0-" + (COUNT - 1));
        }
        return values()[index];
    }

    /**
     * Parses a label as a user writes it: an index {@code 0}-{@code 9}, a display name
     * ({@code "Ankle boot"}), a constant name ({@code "ANKLE_BOOT"}), or either half of
     * {@code T-shirt/top} ({@code "t-shirt"}, {@code "top"}), case and punctuation ignored.
     */
    public static FashionClass parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("label is empty");
        }
        String trimmed = text.trim();
        if (trimmed.length() == 1 && Character.isDigit(trimmed.charAt(0))) {
            return of(trimmed.charAt(0) - '0');
        }
        String folded = fold(trimmed);
        for (FashionClass c : values()) {
            if (fold(c.displayName).equals(folded) || fold(c.name()).equals(folded)) {
                return c;
            }
        }
        if (folded.equals("tshirt") || folded.equals("top")) {
            return T_SHIRT_TOP; // "T-shirt/top" names two garments: a folder is often named after one
        }
        throw new IllegalArgumentException("unknown label '" + abbreviate(trimmed) + "': expected 0-9 or a class name");
    }

    private static String fold(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
