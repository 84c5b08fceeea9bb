package dev.sabir.jabberft.codec;

/** A file transfer element or data header that breaks the rules; answered with bad-request. */
public final class FtProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong
     */
    public FtProtocolException(String message) {
        super(message);
    }
}
