/**
 * TLS for both sides: {@link dev.llmgateway.tls.TlsContexts} chooses the engine (Netty's OpenSSL engine, else the
 * JDK's) once per process and builds the client contexts for providers and the server context for the listener.
 * docs/ARCHITECTURE.md §1 and §7.
 *
 * <p>Buffer ownership: none here; the contexts make {@code SslHandler}s, which own what passes through them.
 */
package dev.llmgateway.tls;
