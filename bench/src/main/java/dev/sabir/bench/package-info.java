/**
 * Benchmarks of Sabir's real code: JMH benchmarks of the protocol codecs and the router, and the
 * {@link dev.sabir.bench.LoopbackLoad} load driver. Nothing here runs during the normal build; see
 * {@code docs/benchmarks.md} for the commands and the recorded figures.
 */
package dev.sabir.bench;
