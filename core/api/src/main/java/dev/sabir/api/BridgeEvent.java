package dev.sabir.api;

/**
 * Everything a session reports and the router carries: an immutable record under this sealed
 * interface.
 */
public sealed interface BridgeEvent
        permits ChatMessage,
                PresenceUpdate,
                ProfileUpdate,
                Typing,
                RoomUpdate,
                FileOffer,
                FileProgress,
                SessionState {

    /**
     * The conversation the event belongs to: the room or 1:1 peer, or the account itself for
     * session state.
     */
    Address conversation();
}
