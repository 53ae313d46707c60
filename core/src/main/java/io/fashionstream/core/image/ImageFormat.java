package io.fashionstream.core.image;

import java.nio.charset.StandardCharsets;

/**
 * The image formats recognised by their magic bytes. AVIF and HEIC are recognised only to be
 * refused by name: no decoder for them ships with the worker.
 */
enum ImageFormat {
    PNG, JPEG, GIF, BMP, WEBP, TIFF, AVIF, HEIC, UNKNOWN;

    /** Whether the worker decodes this format. */
    boolean supported() {
        return this != AVIF && this != HEIC && this != UNKNOWN;
    }

    static ImageFormat sniff(byte[] b) {
        if (startsWith(b, 0, 0x89, 'P', 'N', 'G')) {
            return PNG;
        }
        if (startsWith(b, 0, 0xff, 0xd8, 0xff)) {
            return JPEG;
        }
        if (startsWith(b, 0, 'G', 'I', 'F', '8')) {
            return GIF;
        }
        if (startsWith(b, 0, 'B', 'M') && b.length >= 26) {
            return BMP;
        }
        if (startsWith(b, 0, 'R', 'I', 'F', 'F') && startsWith(b, 8, 'W', 'E', 'B', 'P')) {
            return WEBP;
        }
        if (startsWith(b, 0, 'I', 'I', 42, 0) || startsWith(b, 0, 'M', 'M', 0, 42)
                || startsWith(b, 0, 'I', 'I', 43, 0) || startsWith(b, 0, 'M', 'M', 0, 43)) {
            return TIFF;
        }
        if (startsWith(b, 4, 'f', 't', 'y', 'p')) {
            return isoMediaBrand(b);
        }
        return UNKNOWN;
    }

    /** AVIF or HEIC from an ISO media file's brands ("ftyp" box): its major brand, then its compatible ones. */
    private static ImageFormat isoMediaBrand(byte[] b) {
        long boxSize = ((b[0] & 0xffL) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
        int end = (int) Math.min(b.length, Math.max(16, boxSize));
        boolean heif = false;
        for (int at = 8; at + 4 <= end; at += at == 8 ? 8 : 4) { // major brand, minor version, compatible brands
            String brand = new String(b, at, 4, StandardCharsets.ISO_8859_1);
            if (brand.equals("avif") || brand.equals("avis")) {
                return AVIF;
            }
            heif |= brand.equals("heic") || brand.equals("heix") || brand.equals("heim") || brand.equals("heis")
                    || brand.equals("hevc") || brand.equals("hevx") || brand.equals("mif1") || brand.equals("msf1");
        }
        return heif ? HEIC : UNKNOWN;
    }

    private static boolean startsWith(byte[] b, int from, int... magic) {
        if (b.length < from + magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((b[from + i] & 0xff) != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
