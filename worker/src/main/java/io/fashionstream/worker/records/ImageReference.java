package io.fashionstream.worker.records;

import io.fashionstream.worker.fetch.FetchException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An image by reference (docs/design.md, "Input record"): a record whose {@code content-type}
 * header is {@code text/uri-list} (RFC 2483) and whose value is one URL, the image to fetch.
 */
public final class ImageReference {
    /** The header that marks a reference, and its media type. */
    public static final String CONTENT_TYPE = "content-type";
    public static final String URI_LIST = "text/uri-list";
    /** The longest value read as a URI list: a reference is a URL, not a document. */
    static final int MAX_VALUE_BYTES = 8 * 1024;

    private ImageReference() {
    }

    /** Whether {@code record} names its image rather than carrying it (the header's name in any case). */
    public static boolean isReference(ConsumerRecord<byte[], byte[]> record) {
        Header type = null;
        for (Header h : record.headers()) {
            if (h.key().equalsIgnoreCase(CONTENT_TYPE)) {
                type = h; // the last one counts, as for lastHeader
            }
        }
        if (type == null || type.value() == null) {
            return false;
        }
        String media = new String(type.value(), StandardCharsets.UTF_8).strip().toLowerCase(Locale.ROOT);
        return media.equals(URI_LIST) || media.startsWith(URI_LIST + ";");
    }

    /** The one URL a reference's value holds (comment lines, starting with {@code #}, are skipped). */
    public static URI url(ConsumerRecord<byte[], byte[]> record) throws FetchException {
        byte[] value = record.value();
        if (value == null || value.length == 0 || value.length > MAX_VALUE_BYTES) {
            throw invalid("the value is " + (value == null ? 0 : value.length) + " bytes, not one URL of at most "
                    + MAX_VALUE_BYTES);
        }
        List<String> uris = new ArrayList<>();
        for (String line : new String(value, StandardCharsets.UTF_8).split("\r?\n")) {
            String l = line.strip();
            if (!l.isEmpty() && !l.startsWith("#")) {
                uris.add(l);
            }
        }
        if (uris.size() != 1) {
            throw invalid("a text/uri-list of " + uris.size() + " URLs; one image, one URL");
        }
        try {
            URI uri = new URI(uris.get(0));
            if (!uri.isAbsolute() || uri.getHost() == null) {
                throw invalid("not an absolute URL with a host");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw invalid("not a valid URL: " + e.getMessage());
        }
    }

    private static FetchException invalid(String why) {
        return new FetchException(FetchException.Reason.FETCH_FAILED, "invalid image reference: " + why);
    }
}
