package dev.llmgateway.config;

/** The Netty transport; TOML names are the lower-case constant names ({@code "io_uring"}). */
public enum Transport { AUTO, EPOLL, IO_URING, NIO }
