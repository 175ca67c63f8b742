package dev.llmgateway.config;

/**
 * The TLS implementation for every connection, client and provider side: {@code auto} takes Netty's OpenSSL engine
 * (BoringSSL) when its native library loads and the JDK's engine otherwise; {@code jdk} is for a JVM whose
 * security providers must do the cryptography (a FIPS-certified provider). TOML names are the lower-case names.
 */
public enum TlsEngine { AUTO, OPENSSL, JDK }
