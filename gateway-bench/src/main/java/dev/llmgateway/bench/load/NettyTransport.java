package dev.llmgateway.bench.load;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * Epoll when it loads, else NIO. Epoll matters for the open-loop generator: its timers (timerfd) fire with
 * microsecond precision, where NIO's selector rounds timeouts to milliseconds.
 */
record NettyTransport(String name, IoHandlerFactory ioHandlers, Class<? extends ServerChannel> serverChannel,
                      Class<? extends SocketChannel> socketChannel) {

    static NettyTransport best() {
        return Epoll.isAvailable()
                ? new NettyTransport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class,
                        EpollSocketChannel.class)
                : new NettyTransport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class,
                        NioSocketChannel.class);
    }

    EventLoopGroup newGroup(String threadPrefix) {
        return new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(threadPrefix, true), ioHandlers);
    }
}
