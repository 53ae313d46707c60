package io.fashionstream.core.model;

/**
 * How training varies an architecture's images, batch by batch.
 *
 * @param flips    mirror half the images left to right (the articles are close to mirror-symmetric)
 * @param maxShift move each image by up to this many pixels in x and y, filling with background
 */
public record Augmentation(boolean flips, int maxShift) {
    public static final Augmentation NONE = new Augmentation(false, 0);
    public static final Augmentation SHIFT_AND_FLIP = new Augmentation(true, 1);

    /** One line for the model card. */
    public String describe() {
        if (equals(NONE)) {
            return "none";
        }
        String flip = flips ? "random horizontal flip" : "";
        String shift = maxShift > 0 ? "shifts of up to " + maxShift + " pixel" + (maxShift > 1 ? "s" : "") : "";
        return flip.isEmpty() || shift.isEmpty() ? flip + shift : flip + ", " + shift;
    }
}
