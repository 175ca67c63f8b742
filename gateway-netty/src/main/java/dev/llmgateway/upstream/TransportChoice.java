package dev.llmgateway.upstream;

import dev.llmgateway.config.Transport;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The I/O transport in use: its event-loop factory and the channel classes that go with it.
 * {@code auto} takes epoll, then io_uring, then NIO: epoll is the most proven native transport, and io_uring
 * is often blocked by container seccomp profiles.
 */
public record TransportChoice(String name, IoHandlerFactory ioHandlerFactory,
                              Class<? extends ServerChannel> serverChannel,
                              Class<? extends SocketChannel> socketChannel,
                              Class<? extends DatagramChannel> datagramChannel) {

    public static TransportChoice choose(Transport wanted) {
        return switch (wanted) {
            case EPOLL -> require(wanted, Epoll.isAvailable(), Epoll.unavailabilityCause(), epoll());
            case IO_URING -> require(wanted, IoUring.isAvailable(), IoUring.unavailabilityCause(), ioUring());
            case NIO -> nio();
            case AUTO -> Epoll.isAvailable() ? epoll() : IoUring.isAvailable() ? ioUring() : nio();
        };
    }

    public EventLoopGroup newEventLoopGroup(int threads, String threadPrefix) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(threadPrefix, true), ioHandlerFactory);
    }

    private static TransportChoice require(Transport wanted, boolean available, Throwable cause,
                                           TransportChoice choice) {
        if (!available) {
            throw new IllegalStateException("transport " + wanted.name().toLowerCase() + " is not available here: "
                    + cause);
        }
        return choice;
    }

    private static TransportChoice epoll() {
        return new TransportChoice("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class,
                EpollSocketChannel.class, EpollDatagramChannel.class);
    }

    private static TransportChoice ioUring() {
        return new TransportChoice("io_uring", IoUringIoHandler.newFactory(), IoUringServerSocketChannel.class,
                IoUringSocketChannel.class, IoUringDatagramChannel.class);
    }

    private static TransportChoice nio() {
        return new TransportChoice("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class,
                NioSocketChannel.class, NioDatagramChannel.class);
    }
}
