package io.fashionstream.worker.fetch;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What a worker may fetch (docs/design.md, "Images by reference"): deny by default. A URL is
 * fetched only when its scheme is {@code https} (or {@code http} where allowed) and its host
 * matches an entry of {@code --fetch-allow}: a host name, a {@code *.domain} pattern (any name
 * under the domain, not the domain itself), or an address range in CIDR form ({@code 10.1.0.0/16},
 * {@code 2001:db8::/32}; a bare address is a range of one). Every address a name resolves to is
 * checked too: one that is loopback, private, link-local (cloud metadata included), unique-local,
 * carrier-grade NAT, multicast or unspecified is used only inside a range the list names, so
 * neither a name nor a redirect can reach an internal service the operator did not list.
 * Immutable and thread-safe.
 */
public final class FetchPolicy {
    /** One entry of the allow list; its text is the metric label of the hosts it lets through. */
    record Entry(String text, String name, String suffix, Cidr range) {
        boolean matchesName(String host) {
            return (name != null && name.equals(host)) || (suffix != null && host.endsWith(suffix)
                    && host.length() > suffix.length());
        }
    }

    private final List<Entry> entries;
    private final boolean httpAllowed;

    private FetchPolicy(List<Entry> entries, boolean httpAllowed) {
        this.entries = List.copyOf(entries);
        this.httpAllowed = httpAllowed;
    }

    /** The policy of {@code --fetch-allow} entries; an empty list turns fetching off. */
    public static FetchPolicy of(List<String> allow, boolean httpAllowed) {
        List<Entry> entries = new ArrayList<>();
        for (String raw : allow) {
            String text = raw.strip().toLowerCase(Locale.ROOT);
            if (text.isEmpty()) {
                continue;
            }
            if (text.startsWith("*.")) {
                requireHostName(text.substring(2), raw);
                entries.add(new Entry(text, null, text.substring(1), null));
            } else if (Cidr.looksLikeAddress(text)) {
                entries.add(new Entry(text, null, null, Cidr.parse(text)));
            } else {
                requireHostName(text, raw);
                entries.add(new Entry(text, text, null, null));
            }
        }
        return new FetchPolicy(entries, httpAllowed);
    }

    private static void requireHostName(String name, String raw) {
        if (!name.matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")) {
            throw new IllegalArgumentException("fetch-allow entry '" + raw + "' is neither a host name, a *.domain"
                    + " pattern nor an address range (CIDR)");
        }
    }

    /** Whether any fetching is allowed at all. */
    public boolean enabled() {
        return !entries.isEmpty();
    }

    /**
     * The entry that lets {@code url} be fetched, as far as the URL itself says (its addresses are
     * checked when it is resolved, {@link #checkAddress}); throws {@link FetchException} with
     * {@code fetch_forbidden} otherwise.
     */
    public String checkUrl(URI url) throws FetchException {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(scheme.equals("http") && httpAllowed)) {
            throw FetchException.forbidden("scheme '" + scheme + "' is not allowed (https only"
                    + (httpAllowed ? ", or http" : "; --fetch-allow-http allows http") + ")");
        }
        if (url.getRawUserInfo() != null) {
            throw FetchException.forbidden("a URL with user information is not fetched");
        }
        String host = host(url);
        if (host.isEmpty()) {
            throw FetchException.forbidden("the URL has no host");
        }
        return matching(host).map(Entry::text).orElseThrow(() -> FetchException.forbidden(
                "host '" + host + "' is not on --fetch-allow"));
    }

    /**
     * Throws {@code fetch_forbidden} unless {@code address}, one that {@code host} resolved to, may
     * be connected to: inside a listed range, or a public address of a host the list names.
     */
    public void checkAddress(String host, InetAddress address) throws FetchException {
        for (Entry e : entries) {
            if (e.range() != null && e.range().contains(address)) {
                return;
            }
        }
        if (isInternal(address)) {
            throw FetchException.forbidden("host '" + host + "' resolves to " + address.getHostAddress()
                    + ", an internal address no --fetch-allow range names");
        }
        if (matching(host).isEmpty()) {
            throw FetchException.forbidden("host '" + host + "' is not on --fetch-allow");
        }
    }

    private Optional<Entry> matching(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (Cidr.looksLikeAddress(h)) {
            InetAddress address = Cidr.literal(h);
            return entries.stream().filter(e -> e.range() != null && e.range().contains(address)).findFirst();
        }
        return entries.stream().filter(e -> e.matchesName(h)).findFirst();
    }

    /** The URL's host, without the brackets of an IPv6 literal. */
    static String host(URI url) {
        String host = url.getHost() == null ? "" : url.getHost();
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    /** Loopback, private, link-local, unique-local, CGNAT, multicast or unspecified. */
    static boolean isInternal(InetAddress a) {
        if (a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress()
                || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return first == 0 || (first == 100 && second >= 64 && second < 128) // "this network", carrier-grade NAT
                    || (first == 192 && second == 0 && (b[2] & 0xff) == 0) // IETF protocol assignments
                    || first >= 240; // reserved, broadcast
        }
        if (a instanceof Inet6Address) {
            if ((b[0] & 0xfe) == 0xfc) {
                return true; // unique local fc00::/7
            }
            boolean mapped = true; // ::ffff:a.b.c.d carries an IPv4 address
            for (int i = 0; i < 10; i++) {
                mapped &= b[i] == 0;
            }
            if (mapped && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
                try {
                    return isInternal(InetAddress.getByAddress(new byte[]{b[12], b[13], b[14], b[15]}));
                } catch (UnknownHostException e) {
                    return true;
                }
            }
        }
        return false;
    }
}
