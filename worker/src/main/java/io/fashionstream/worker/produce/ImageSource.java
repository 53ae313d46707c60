package io.fashionstream.worker.produce;

import io.fashionstream.core.FashionClass;

import java.io.IOException;

/** A finite, indexable set of images to send: the shipped test split or a directory of files. */
public interface ImageSource {
    /** How many images one pass sends. */
    int size();

    /** The {@code index}-th image, read when asked for. */
    Item item(int index) throws IOException;

    /** What the source is, for the progress line. */
    String describe();

    /**
     * One image to send.
     *
     * @param id    the record key: a stable item id
     * @param label its true class, sent as the {@code label} header, or null when unknown
     */
    record Item(String id, byte[] bytes, FashionClass label) {
    }
}
