/**
 * The command line ({@link dev.llmgateway.Gateway}): loads and checks the config, starts the server, reloads on
 * SIGHUP or a file change, drains on SIGTERM. The packages below it and the one-way rule between them are in
 * docs/ARCHITECTURE.md §3.
 *
 * <p>Buffer ownership: none here; no reference-counted buffer is touched.
 */
package dev.llmgateway;
