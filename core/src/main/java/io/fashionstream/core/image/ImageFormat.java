package io.fashionstream.core.image;

/** The image formats accepted, recognised by their magic bytes. */
enum ImageFormat {
    PNG, JPEG, GIF, BMP, UNKNOWN;

    static ImageFormat sniff(byte[] b) {
        if (startsWith(b, 0x89, 'P', 'N', 'G')) {
            return PNG;
        }
        if (startsWith(b, 0xff, 0xd8, 0xff)) {
            return JPEG;
        }
        if (startsWith(b, 'G', 'I', 'F', '8')) {
            return GIF;
        }
        if (startsWith(b, 'B', 'M') && b.length >= 26) {
            return BMP;
        }
        return UNKNOWN;
    }

    private static boolean startsWith(byte[] b, int... magic) {
        if (b.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((b[i] & 0xff) != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
