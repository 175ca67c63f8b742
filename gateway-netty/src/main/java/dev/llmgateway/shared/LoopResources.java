package dev.llmgateway.shared;

import io.lettuce.core.resource.EventLoopGroupProvider;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.SucceededFuture;

import java.util.concurrent.TimeUnit;

/**
 * Hands Lettuce one of the gateway's own event loops as its whole "group": every channel Lettuce opens for the
 * client holding this provider is registered on that loop, and the gateway, not Lettuce, shuts the loop down.
 */
final class LoopResources implements EventLoopGroupProvider {
    private final EventLoop loop;

    LoopResources(EventLoop loop) {
        this.loop = loop;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends EventLoopGroup> T allocate(Class<T> type) {
        // Lettuce asks by the group class of the transport it detected; the loop is of the same transport (checked
        // at start: SharedState), and the value is only ever used as an EventLoopGroup.
        return (T) loop;
    }

    @Override
    public int threadPoolSize() {
        return 1;
    }

    @Override
    public Future<Boolean> release(EventExecutorGroup group, long quietPeriod, long timeout, TimeUnit unit) {
        return new SucceededFuture<>(loop, true);
    }

    @Override
    public Future<Boolean> shutdown(long quietPeriod, long timeout, TimeUnit unit) {
        return new SucceededFuture<>(loop, true);
    }
}
