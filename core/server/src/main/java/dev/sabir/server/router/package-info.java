/**
 * The router: links and gateway routes, one ordered lane per conversation, echo suppression, nick
 * templates, capability degradation, durable deliveries and the cross-network message id map. The
 * entry point is {@link dev.sabir.server.router.Router}; everything else in the package is
 * internal.
 */
package dev.sabir.server.router;
