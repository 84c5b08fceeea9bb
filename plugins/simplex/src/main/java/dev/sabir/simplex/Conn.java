package dev.sabir.simplex;

/**
 * Persistent state of one connection: my receiving queue, the peer's receiving queue (known once
 * the peer confirmed or from the link I joined), the keys and both sequence counters. Stored as
 * JSON under {@code conn/<id>}.
 */
final class Conn {
    public String id;
    public String group;
    public String member;
    public boolean join;
    public String myQueue;
    public String myPrivate;
    public String myPublic;
    public String peerHost;
    public int peerPort;
    public String peerQueue;
    public String peerPublic;
    public long recvNext;
    public long sendNext;

    /** True when I know where to send. */
    boolean canSend() {
        return peerQueue != null && peerPublic != null;
    }
}
