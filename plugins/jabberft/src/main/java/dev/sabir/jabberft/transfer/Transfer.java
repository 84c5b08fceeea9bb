package dev.sabir.jabberft.transfer;

import dev.sabir.api.Address;
import dev.sabir.api.FileSpool;
import io.netty.channel.Channel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * The state of one transfer on this side. Guarded by its own monitor: negotiation runs on the
 * component's event loop, data on a data channel's loop and timers on the host's scheduler.
 */
public final class Transfer {
    /** Which way the bytes go. */
    public enum Direction {
        /** This side sends the file. */
        SEND,
        /** This side receives it. */
        RECEIVE
    }

    final String sid;
    final String peer;
    final Address conversation;
    final Direction direction;
    final String name;
    final long size;
    final String sha256;

    /** The file to send (SEND). */
    FileSpool.SpooledFile file;

    /** Where received bytes go (RECEIVE). */
    FileSpool.Upload upload;

    /** The sender's delivery result, or null (SEND for a get proposal, or RECEIVE). */
    CompletableFuture<String> result;

    /**
     * The peer's answer to this side's send proposal: true once it agreed to take the file, false
     * when it declined, exceptionally when no usable answer came. Unused for other transfers.
     */
    final CompletableFuture<Boolean> accepted = new CompletableFuture<>();

    long offset;
    long position;
    Channel channel;
    ScheduledFuture<?> timer;
    boolean finished;
    final StringBuilder status = new StringBuilder();

    Transfer(
            String sid,
            String peer,
            Address conversation,
            Direction direction,
            String name,
            long size,
            String sha256) {
        this.sid = sid;
        this.peer = peer;
        this.conversation = conversation;
        this.direction = direction;
        this.name = name;
        this.size = size;
        this.sha256 = sha256;
    }

    /** The transfer id. */
    public String sid() {
        return sid;
    }

    /** The peer's JID. */
    public String peer() {
        return peer;
    }

    /** Which way the bytes go. */
    public Direction direction() {
        return direction;
    }

    /**
     * For a file this side offered: completes {@code true} as soon as the peer's answer accepted
     * the proposal (it listens, asks this side to listen, or already has every byte), {@code false}
     * when it declined ({@code <abort/>} or a refusing IQ error), exceptionally when no usable
     * answer came. A copy: completing it changes nothing here.
     */
    public CompletableFuture<Boolean> accepted() {
        return accepted.copy();
    }

    /**
     * For a file this side offered: completes with the sid once the receiver confirmed every byte,
     * exceptionally when the transfer failed or was declined. A copy, like {@link #accepted()};
     * null for transfers this side did not offer.
     */
    public CompletableFuture<String> result() {
        return result == null ? null : result.copy();
    }

    synchronized void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    @Override
    public String toString() {
        return "Transfer[" + sid + " " + direction + " " + peer + " " + name + " " + size + "]";
    }
}
