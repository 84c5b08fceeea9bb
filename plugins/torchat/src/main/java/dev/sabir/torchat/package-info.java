/**
 * The TorChat plugin: {@link dev.sabir.torchat.TorChatConnector} opens a {@link
 * dev.sabir.torchat.TorChatSession} per account, which speaks the protocol of the deployed TorChat
 * clients over Tor (SOCKS5) or directly (LAN, tests).
 */
package dev.sabir.torchat;
