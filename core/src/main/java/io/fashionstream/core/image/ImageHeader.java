package io.fashionstream.core.image;

import java.nio.charset.StandardCharsets;

/**
 * What an image's own bytes declare before any decoder runs: its dimensions, read from the header
 * of each format by this class alone (so that a header bomb is refused before a decoder
 * allocates anything), and whether the file is whole (a truncated JPEG or PNG decodes "fine" in
 * most libraries, the missing part filled with gray). Throws {@link InvalidImageException}
 * ({@code undecodable}) for a header that is malformed or cut short.
 *
 * @param width  declared width in pixels
 * @param height declared height in pixels
 * @param alpha  whether the image may carry transparency (an alpha channel or a transparent colour)
 */
record ImageHeader(ImageFormat format, int width, int height, boolean alpha) {
    /**
     * The most scans a JPEG may have. A progressive JPEG has about ten; the decoder visits every
     * block of the image again for each one, so a file of empty scans (about 50 bytes each) costs
     * minutes of a core. 256, the limit nvImageCodec sets after the libjpeg-turbo security review.
     */
    static final int MAX_JPEG_SCANS = 256;

    ImageHeader(ImageFormat format, int width, int height) {
        this(format, width, height, format == ImageFormat.TIFF || format == ImageFormat.BMP || format == ImageFormat.GIF);
    }

    long pixels() {
        return (long) width * height;
    }

    /**
     * Refuses a decode larger than these dimensions (divided by the decoder's scale, rounded up as
     * libjpeg and ImageIO's subsampling do; either way round, as EXIF orientation may turn it): the
     * decoder then read another header than this one. Smaller is fine: an animated image decodes
     * its first frame.
     */
    void requireDecodedSize(int decodedWidth, int decodedHeight, int scale) throws InvalidImageException {
        int w = (width + scale - 1) / scale;
        int h = (height + scale - 1) / scale;
        if ((decodedWidth <= w && decodedHeight <= h) || (decodedWidth <= h && decodedHeight <= w)) {
            return;
        }
        throw new InvalidImageException(InvalidImageException.Reason.UNDECODABLE, String.format(
                "%s image decodes to %dx%d pixels where its header declares %dx%d%s: the header is not the one the"
                        + " decoder read", format, decodedWidth, decodedHeight, width, height,
                scale == 1 ? "" : " (1/" + scale + " scale)"));
    }

    /** Reads the header of {@code b}, which {@link ImageFormat#sniff} recognised as {@code format}. */
    static ImageHeader read(byte[] b, ImageFormat format) throws InvalidImageException {
        try {
            ImageHeader h = switch (format) {
                case PNG -> png(b);
                case JPEG -> jpeg(b);
                case GIF -> gif(b);
                case BMP -> bmp(b);
                case WEBP -> webp(b);
                case TIFF -> tiff(b);
                default -> throw new IllegalArgumentException("no header reader for " + format);
            };
            if (h.width < 1 || h.height < 1) {
                throw malformed(format, "declares " + Integer.toUnsignedString(h.width) + "x"
                        + Integer.toUnsignedString(h.height) + " pixels");
            }
            return h;
        } catch (ArrayIndexOutOfBoundsException e) {
            throw malformed(format, "ends inside its header (" + b.length + " bytes)");
        }
    }

    /**
     * Refuses a PNG or JPEG that is cut short, which decoders would decode with the missing part
     * filled in. PNG: its chunks must lead, length by length, to IEND. JPEG: an end-of-image
     * marker must follow the first scan (entropy-coded bytes stuff every 0xFF, so 0xFF 0xD9 there
     * can only be that marker). Other formats' decoders fail on missing data themselves, or their
     * header says how long the file is (WebP).
     */
    static void requireWhole(byte[] b, ImageFormat format) throws InvalidImageException {
        if (format == ImageFormat.PNG) {
            long at = 8;
            while (true) {
                if (at + 12 > b.length) {
                    throw truncated(ImageFormat.PNG, "ends before its IEND chunk");
                }
                String type = chunkType(b, (int) at + 4);
                at += 12 + (int32(b, (int) at) & 0xffffffffL);
                if (type.equals("IEND")) {
                    return;
                }
            }
        }
        if (format == ImageFormat.JPEG) {
            int scan = jpegSegments(b, true);
            // From the end: a whole file ends with the marker, give or take trailing bytes.
            for (int i = b.length - 2; i >= scan; i--) {
                if ((b[i] & 0xff) == 0xff && (b[i + 1] & 0xff) == 0xd9) {
                    requireFewScans(b, scan, i);
                    return;
                }
            }
            throw truncated(ImageFormat.JPEG, "ends inside its image data (no end-of-image marker)");
        }
    }

    /**
     * Counts the scans after the first one up to the end-of-image marker: entropy-coded data
     * stuffs every 0xFF with a 0x00, so 0xFF 0xDA there is always a scan's start.
     */
    private static void requireFewScans(byte[] b, int firstScanData, int end) throws InvalidImageException {
        int scans = 1;
        for (int i = firstScanData; i < end; i++) {
            if ((b[i] & 0xff) == 0xff && (b[i + 1] & 0xff) == 0xda && ++scans > MAX_JPEG_SCANS) {
                throw new InvalidImageException(InvalidImageException.Reason.TOO_MANY_SCANS, "JPEG image has more than "
                        + MAX_JPEG_SCANS + " scans: each costs the decoder a pass over the whole image");
            }
        }
    }

    /** PNG: the IHDR chunk, first; transparency from its colour type, or a tRNS chunk before the image data. */
    private static ImageHeader png(byte[] b) throws InvalidImageException {
        if (!chunkType(b, 12).equals("IHDR")) {
            throw malformed(ImageFormat.PNG, "has no IHDR chunk first");
        }
        int colourType = b[25];
        boolean alpha = colourType == 4 || colourType == 6;
        for (long at = 8; !alpha && at + 8 <= b.length; ) {
            String type = chunkType(b, (int) at + 4);
            if (type.equals("IDAT") || type.equals("IEND")) {
                break;
            }
            alpha = type.equals("tRNS");
            at += 12 + (int32(b, (int) at) & 0xffffffffL);
        }
        return new ImageHeader(ImageFormat.PNG, int32(b, 16), int32(b, 20), alpha);
    }

    /** JPEG: the frame header (SOFn) among the segments before the first scan. */
    private static ImageHeader jpeg(byte[] b) throws InvalidImageException {
        int sof = jpegSegments(b, false);
        return new ImageHeader(ImageFormat.JPEG, uint16(b, sof + 6), uint16(b, sof + 4), false);
    }

    /**
     * Walks a JPEG's segments the way libjpeg reads them; returns where the frame header's marker
     * byte is, or with {@code toScan} where the first scan's data begins. Markers that carry no
     * length (RSTn, TEM) are stepped over by themselves, as libjpeg does: reading a length after
     * one let a file show this walk a decoy frame header while the decoder read the real one. On
     * the way to the scan, a second frame header is refused (libjpeg refuses it too).
     */
    private static int jpegSegments(byte[] b, boolean toScan) throws InvalidImageException {
        int sof = -1;
        int at = 2;
        while (true) {
            while (at < b.length && (b[at] & 0xff) != 0xff) {
                at++; // tolerate junk between segments, as decoders do
            }
            while (at < b.length && (b[at] & 0xff) == 0xff) {
                at++;
            }
            if (at + 2 >= b.length) {
                throw truncated(ImageFormat.JPEG, sof < 0 ? "ends before its frame header" : "ends before its first scan");
            }
            int marker = b[at] & 0xff;
            if (marker == 0x00 || marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
                at++; // a stuffed byte, TEM or RSTn: no length follows
                continue;
            }
            if (marker == 0xd8) {
                throw malformed(ImageFormat.JPEG, "has a second start-of-image marker before its first scan");
            }
            if (marker == 0xd9) {
                throw truncated(ImageFormat.JPEG, sof < 0 ? "ends before its frame header" : "ends before its first scan");
            }
            int length = uint16(b, at + 1);
            if (marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc) {
                if (sof >= 0) {
                    throw malformed(ImageFormat.JPEG, "has a second frame header before its first scan");
                }
                if (at + 7 >= b.length) {
                    throw truncated(ImageFormat.JPEG, "ends inside its frame header");
                }
                sof = at;
                if (!toScan) {
                    return sof;
                }
            } else if (marker == 0xda) {
                if (sof < 0) {
                    throw malformed(ImageFormat.JPEG, "has a scan before its frame header");
                }
                return at + 1 + length;
            }
            at += 1 + length;
        }
    }

    /** GIF: the larger of the logical screen and the first frame (a decoder allocates for both). */
    private static ImageHeader gif(byte[] b) throws InvalidImageException {
        int width = uint16le(b, 6);
        int height = uint16le(b, 8);
        int at = 13 + ((b[10] & 0x80) != 0 ? 3 << ((b[10] & 7) + 1) : 0);
        while (true) {
            int block = b[at] & 0xff;
            if (block == 0x2c) { // image descriptor: left, top, width, height
                width = Math.max(width, uint16le(b, at + 1) + uint16le(b, at + 5));
                height = Math.max(height, uint16le(b, at + 3) + uint16le(b, at + 7));
                return new ImageHeader(ImageFormat.GIF, width, height);
            }
            if (block != 0x21) {
                throw malformed(ImageFormat.GIF, "has no image before byte " + at);
            }
            at += 2; // extension introducer and label, then sub-blocks up to an empty one
            while ((b[at] & 0xff) != 0) {
                at += 1 + (b[at] & 0xff);
            }
            at++;
        }
    }

    /** BMP: the DIB header's width and height (negative height: rows top-down). */
    private static ImageHeader bmp(byte[] b) throws InvalidImageException {
        long dibSize = int32le(b, 14) & 0xffffffffL;
        if (dibSize == 12) { // OS/2 BITMAPCOREHEADER: 16-bit dimensions
            return new ImageHeader(ImageFormat.BMP, uint16le(b, 18), uint16le(b, 20));
        }
        if (dibSize < 40) {
            throw malformed(ImageFormat.BMP, "has a " + dibSize + "-byte DIB header");
        }
        int height = int32le(b, 22);
        return new ImageHeader(ImageFormat.BMP, int32le(b, 18), height == Integer.MIN_VALUE ? -1 : Math.abs(height));
    }

    /** WebP: the VP8 (lossy), VP8L (lossless) or VP8X (extended) header; whole when the RIFF size fits. */
    private static ImageHeader webp(byte[] b) throws InvalidImageException {
        long riffSize = int32le(b, 4) & 0xffffffffL;
        if (riffSize + 8 > b.length) {
            throw truncated(ImageFormat.WEBP, "is " + b.length + " bytes where its RIFF header declares " + (riffSize + 8));
        }
        String chunk = chunkType(b, 12);
        return switch (chunk) {
            case "VP8 " -> {
                if ((b[23] & 0xff) != 0x9d || (b[24] & 0xff) != 0x01 || (b[25] & 0xff) != 0x2a) {
                    throw malformed(ImageFormat.WEBP, "has no VP8 start code");
                }
                yield new ImageHeader(ImageFormat.WEBP, uint16le(b, 26) & 0x3fff, uint16le(b, 28) & 0x3fff, false);
            }
            case "VP8L" -> {
                if ((b[20] & 0xff) != 0x2f) {
                    throw malformed(ImageFormat.WEBP, "has no VP8L signature");
                }
                int bits = int32le(b, 21);
                yield new ImageHeader(ImageFormat.WEBP, (bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1,
                        (bits & (1 << 28)) != 0);
            }
            case "VP8X" -> new ImageHeader(ImageFormat.WEBP, uint24le(b, 24) + 1, uint24le(b, 27) + 1, (b[20] & 0x10) != 0);
            default -> throw malformed(ImageFormat.WEBP, "has an unknown first chunk '" + chunk.strip() + "'");
        };
    }

    /** Whether a WebP is the simple lossy kind: its one chunk a VP8 bitstream (no VP8L, no VP8X with alpha). */
    static boolean isSimpleLossyWebp(byte[] b) {
        return b.length >= 16 && chunkType(b, 12).equals("VP8 ");
    }

    /** TIFF: ImageWidth (256) and ImageLength (257) of the first image file directory, each exactly once. */
    private static ImageHeader tiff(byte[] b) throws InvalidImageException {
        boolean little = b[0] == 'I';
        if ((little ? b[2] : b[3]) == 43) {
            throw new InvalidImageException(InvalidImageException.Reason.UNSUPPORTED_FORMAT,
                    "TIFF image is a BigTIFF, which the worker does not decode");
        }
        long ifd = u32(b, 4, little);
        if (ifd < 8 || ifd + 2 > b.length) {
            throw truncated(ImageFormat.TIFF, "points to a directory at byte " + ifd + " of " + b.length);
        }
        int entries = u16(b, (int) ifd, little);
        int width = -1;
        int height = -1;
        for (int i = 0; i < entries; i++) {
            int e = (int) ifd + 2 + 12 * i;
            int tag = u16(b, e, little);
            int type = u16(b, e + 2, little);
            if (tag == 256 || tag == 257) {
                long value = type == 3 ? u16(b, e + 8, little) : u32(b, e + 8, little);
                int v = value > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) value;
                if ((tag == 256 ? width : height) >= 0) {
                    // Which of two a decoder takes is its own choice: the one checked here may not be it.
                    throw malformed(ImageFormat.TIFF, "declares its " + (tag == 256 ? "width" : "length") + " twice");
                }
                if (tag == 256) {
                    width = v;
                } else {
                    height = v;
                }
            }
        }
        if (width < 0 || height < 0) {
            throw malformed(ImageFormat.TIFF, "has no image width and length in its first directory");
        }
        return new ImageHeader(ImageFormat.TIFF, width, height);
    }

    private static InvalidImageException malformed(ImageFormat format, String what) {
        return new InvalidImageException(InvalidImageException.Reason.UNDECODABLE, format + " image " + what);
    }

    private static InvalidImageException truncated(ImageFormat format, String what) {
        return new InvalidImageException(InvalidImageException.Reason.UNDECODABLE, format + " image is cut short: " + what);
    }

    private static String chunkType(byte[] b, int at) {
        if (at + 4 > b.length) {
            throw new ArrayIndexOutOfBoundsException(at + 4);
        }
        return new String(b, at, 4, StandardCharsets.ISO_8859_1);
    }

    private static int int32(byte[] b, int at) {
        return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }

    private static int uint16(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }

    private static int uint16le(byte[] b, int at) {
        return (b[at] & 0xff) | ((b[at + 1] & 0xff) << 8);
    }

    private static int uint24le(byte[] b, int at) {
        return uint16le(b, at) | ((b[at + 2] & 0xff) << 16);
    }

    private static int int32le(byte[] b, int at) {
        return uint24le(b, at) | ((b[at + 3] & 0xff) << 24);
    }

    private static int u16(byte[] b, int at, boolean little) {
        return little ? uint16le(b, at) : uint16(b, at);
    }

    private static long u32(byte[] b, int at, boolean little) {
        return (little ? int32le(b, at) : int32(b, at)) & 0xffffffffL;
    }
}
