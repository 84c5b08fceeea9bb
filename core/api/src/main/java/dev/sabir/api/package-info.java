/**
 * The Sabir plugin SDK: what a protocol plugin implements ({@link dev.sabir.api.Connector}, {@link
 * dev.sabir.api.Session}) and what it receives from the host ({@link dev.sabir.api.HostContext},
 * {@link dev.sabir.api.EventSink}). Plugins compile against this package only, with scope {@code
 * provided}.
 */
package dev.sabir.api;
