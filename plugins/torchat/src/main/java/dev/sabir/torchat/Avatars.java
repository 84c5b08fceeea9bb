package dev.sabir.torchat;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Converts between TorChat's avatar form (64x64 pixels as an RGB plane of 12288 bytes and an
 * optional alpha plane of 4096 bytes, rows from the top left) and ordinary image files.
 */
final class Avatars {
    /** Width and height of a TorChat avatar. */
    static final int SIZE = 64;

    /** Bytes of the RGB plane. */
    static final int RGB_BYTES = SIZE * SIZE * 3;

    /** Bytes of the alpha plane. */
    static final int ALPHA_BYTES = SIZE * SIZE;

    /** Largest source image accepted for conversion, per side (guards against huge bitmaps). */
    static final int MAX_SOURCE_SIDE = 4096;

    /** The planes of a TorChat avatar; {@code alpha} is empty when the image is fully opaque. */
    record Planes(byte[] rgb, byte[] alpha) {}

    private Avatars() {}

    /**
     * The avatar as PNG, or null when {@code rgb} is not a full 64x64 RGB plane. An alpha plane of
     * the wrong size is ignored (the image is opaque).
     */
    static byte[] toPng(byte[] rgb, byte[] alpha) {
        if (rgb == null || rgb.length != RGB_BYTES) {
            return null;
        }
        boolean hasAlpha = alpha != null && alpha.length == ALPHA_BYTES;
        BufferedImage img = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_ARGB);
        for (int i = 0; i < SIZE * SIZE; i++) {
            int a = hasAlpha ? alpha[i] & 0xff : 0xff;
            int r = rgb[3 * i] & 0xff;
            int g = rgb[3 * i + 1] & 0xff;
            int b = rgb[3 * i + 2] & 0xff;
            img.setRGB(i % SIZE, i / SIZE, (a << 24) | (r << 16) | (g << 8) | b);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * Decodes an image file (any format ImageIO reads: PNG, JPEG, GIF, BMP) and scales it to the
     * 64x64 TorChat planes.
     *
     * @throws IllegalArgumentException when the bytes are not a readable image or it is larger than
     *     {@link #MAX_SOURCE_SIDE} on a side
     */
    static Planes fromImage(byte[] image) {
        BufferedImage src = decode(image);
        BufferedImage scaled = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = scaled.createGraphics();
        try {
            g.setRenderingHint(
                    RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.drawImage(src, 0, 0, SIZE, SIZE, null);
        } finally {
            g.dispose();
        }
        byte[] rgb = new byte[RGB_BYTES];
        byte[] alpha = new byte[ALPHA_BYTES];
        boolean opaque = true;
        for (int i = 0; i < SIZE * SIZE; i++) {
            int p = scaled.getRGB(i % SIZE, i / SIZE);
            alpha[i] = (byte) (p >>> 24);
            opaque &= (p >>> 24) == 0xff;
            rgb[3 * i] = (byte) (p >>> 16);
            rgb[3 * i + 1] = (byte) (p >>> 8);
            rgb[3 * i + 2] = (byte) p;
        }
        return new Planes(rgb, opaque ? new byte[0] : alpha);
    }

    private static BufferedImage decode(byte[] image) {
        if (image == null || image.length == 0) {
            throw new IllegalArgumentException("no image");
        }
        try (ImageInputStream in =
                ImageIO.createImageInputStream(new ByteArrayInputStream(image))) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new IllegalArgumentException("not an image format this host can read");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                if (w <= 0 || h <= 0 || w > MAX_SOURCE_SIDE || h > MAX_SOURCE_SIDE) {
                    throw new IllegalArgumentException("image of " + w + "x" + h + " refused");
                }
                return reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable image: " + e.getMessage(), e);
        }
    }
}
