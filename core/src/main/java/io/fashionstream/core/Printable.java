package io.fashionstream.core;

/**
 * Text from untrusted input made safe to put in a log line or a header: one line, no control
 * characters, no Unicode line separators or bidirectional overrides (which can make a log line
 * read as something else). Each such character is written as {@code \\uXXXX} ({@code \\n},
 * {@code \\r}, {@code \\t} for the common ones), so nothing is lost from view.
 */
public final class Printable {
    private Printable() {
    }

    /**
     * A message from trusted code (a library's, our own) on one line: every run of whitespace,
     * line breaks included, as one space; null as empty. For untrusted text use {@link #oneLine}.
     */
    public static String collapsed(String message) {
        return message == null ? "" : message.strip().replaceAll("\\s+", " ");
    }

    /** {@code text} on one line with every control or formatting character escaped; null stays null. */
    public static String oneLine(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String escaped = escape(c);
            if (escaped != null && out == null) {
                out = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (out != null) {
                out.append(escaped != null ? escaped : String.valueOf(c));
            }
        }
        return out == null ? text : out.toString();
    }

    private static String escape(char c) {
        switch (c) {
            case '\n':
                return "\\n";
            case '\r':
                return "\\r";
            case '\t':
                return "\\t";
            default:
                break;
        }
        boolean hidden = Character.isISOControl(c) || c == '\u2028' || c == '\u2029'
                || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069') || c == '\u200E' || c == '\u200F';
        return hidden ? String.format("\\u%04x", (int) c) : null;
    }
}
