package dev.sabir.soulseek.codec;

import java.io.ByteArrayOutputStream;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/** zlib for the compressed peer payloads, with a bound on the inflated size. */
public final class SlskZlib {
    private SlskZlib() {}

    /** Compresses with zlib framing. */
    public static byte[] deflate(byte[] data) {
        Deflater d = new Deflater();
        try {
            d.setInput(data);
            d.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, data.length / 2));
            byte[] chunk = new byte[8192];
            while (!d.finished()) {
                out.write(chunk, 0, d.deflate(chunk));
            }
            return out.toByteArray();
        } finally {
            d.end();
        }
    }

    /**
     * Inflates zlib data, failing once the output passes {@code max} bytes.
     *
     * @throws SoulseekCodecException when the data is not zlib or inflates beyond the limit
     */
    public static byte[] inflate(byte[] data, int max) {
        Inflater inf = new Inflater();
        try {
            inf.setInput(data);
            ByteArrayOutputStream out =
                    new ByteArrayOutputStream(Math.min(max, data.length * 4 + 64));
            byte[] chunk = new byte[8192];
            while (!inf.finished()) {
                int n = inf.inflate(chunk);
                if (n == 0 && (inf.needsInput() || inf.needsDictionary())) {
                    throw new SoulseekCodecException(
                            SoulseekCodecException.Kind.BAD_COMPRESSED, "zlib data ends early");
                }
                if (out.size() + n > max) {
                    throw new SoulseekCodecException(
                            SoulseekCodecException.Kind.BAD_COMPRESSED,
                            "inflates beyond " + max + " bytes");
                }
                out.write(chunk, 0, n);
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new SoulseekCodecException(
                    SoulseekCodecException.Kind.BAD_COMPRESSED, "not zlib: " + e.getMessage());
        } finally {
            inf.end();
        }
    }
}
