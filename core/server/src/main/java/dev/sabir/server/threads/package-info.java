/** Thread factories and start-up priming for the host's long-lived threads. */
package dev.sabir.server.threads;
