package io.fashionstream.worker.fetch;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An address range in CIDR form ({@code 10.0.0.0/8}, {@code fd00::/8}); a bare address is a range of one. */
record Cidr(byte[] network, int prefix) {

    static Cidr parse(String text) {
        int slash = text.indexOf('/');
        InetAddress address = literal(slash < 0 ? text : text.substring(0, slash));
        int bits = address.getAddress().length * 8;
        int prefix;
        try {
            prefix = slash < 0 ? bits : Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("fetch-allow range '" + text + "' has no valid prefix length");
        }
        if (prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException("fetch-allow range '" + text + "': a prefix of 0 to " + bits + " bits");
        }
        return new Cidr(address.getAddress(), prefix);
    }

    /** Whether {@code text} is an address literal (or a range), never looked up in DNS. */
    static boolean looksLikeAddress(String text) {
        String a = text.contains("/") ? text.substring(0, text.indexOf('/')) : text;
        return a.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}") || (a.contains(":") && a.matches("[0-9a-fA-F:.]+"));
    }

    /** The address an IPv4 or IPv6 literal names, without any DNS lookup. */
    static InetAddress literal(String text) {
        if (!looksLikeAddress(text)) {
            throw new IllegalArgumentException("'" + text + "' is not an address literal");
        }
        try {
            return InetAddress.getByName(text); // a literal: parsed, not resolved
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not a valid address", e);
        }
    }

    boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        if (a.length != network.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != network[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = 0xff << (8 - rest) & 0xff;
        return (a[full] & mask) == (network[full] & mask);
    }
}
