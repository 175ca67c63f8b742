/**
 * State the gateway's replicas share through one Redis ({@code [shared]}): each gateway key's limits — requests and
 * tokens per sliding minute, requests in flight (slots with a lease), the daily or monthly token budget — checked
 * and taken in one Lua script call per request on Redis' own clock, and the rests of upstream keys answered 429,
 * published to every replica. One Redis connection per gateway event loop, its channel on that loop (Lettuce is
 * given the gateway's loops), so a request's call and its answer stay on the request's thread. docs/ARCHITECTURE.md
 * §3, §7.
 *
 * <p>Buffer ownership: nothing here holds a Netty buffer of the gateway's; Lettuce encodes and decodes its own.
 */
package dev.llmgateway.shared;
