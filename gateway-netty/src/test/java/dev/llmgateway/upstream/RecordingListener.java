package dev.llmgateway.upstream;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** An exchange's side of an upstream connection: what the response delivered (body as text) and any failure. */
final class RecordingListener implements UpstreamListener {
    final List<Integer> statuses = new ArrayList<>();
    final StringBuilder body = new StringBuilder();
    final List<Throwable> failures = new ArrayList<>();
    boolean ended;

    @Override
    public void onResponseHead(HttpResponse head) {
        statuses.add(head.status().code());
    }

    @Override
    public void onResponseContent(HttpContent content) {
        body.append(content.content().toString(StandardCharsets.UTF_8));
        ended |= content instanceof LastHttpContent;
        content.release();
    }

    @Override
    public void onUpstreamFailure(Throwable cause) {
        failures.add(cause);
    }
}
