/**
 * The call to the provider and the answer's way back: {@link dev.llmgateway.proxy.ProxyCall}'s state machine
 * (docs/ARCHITECTURE.md §4) with its attempt budget and key use, route chain (fallbacks) and timers; what each
 * route's provider is sent (the client's bytes with model and usage spliced, or a translated request); and the
 * relays that give the answer to the client (docs/ARCHITECTURE.md §5): passed through with the model rewritten, or
 * translated between APIs.
 *
 * <p>Buffer ownership: the call owns the route's request body until the route is replaced or the call ends; each
 * attempt sends a retained duplicate, which the upstream session owns. Every piece of the upstream answer handed to
 * the call is the call's: relayed (then the channel's), held for a retry decision (then released or replayed into
 * the relay), gathered by the relay (then released or sent), or released when it arrives after the end. A relay
 * owns the output buffer of the read in progress and a body it gathers, and frees both when it is discarded.
 */
package dev.llmgateway.proxy;
