package io.fashionstream.worker.fetch;

/**
 * An image fetched whole: its bytes, and what a result records of the fetch.
 *
 * @param url      the URL the bytes came from (after any redirects)
 * @param sha256   the bytes' SHA-256, lowercase hex: a changed object shows as another value
 * @param allowedBy the {@code --fetch-allow} entry that let it through: the metrics' {@code host} label
 */
public record Fetched(byte[] bytes, String url, String sha256, String allowedBy) {
}
