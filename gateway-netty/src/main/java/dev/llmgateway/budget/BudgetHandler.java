package dev.llmgateway.budget;

import dev.llmgateway.cost.BudgetLedger;
import dev.llmgateway.cost.Budgets;
import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.exchange.Exchange;
import dev.llmgateway.exchange.RequestFacts;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Holds each routed request of a key with a USD budget (its own, its team's) to those budgets: reserves the
 * request's worst-case cost before anything goes upstream, and the exchange settles the reservation with its real
 * cost when it ends (docs/ARCHITECTURE.md §2). A request whose reservation does not fit (strict), or that arrives
 * when the budget is spent (soft), is answered 429 {@code budget_exceeded} with Retry-After. Sits after routing:
 * the worst case needs the model (its price, and its fallbacks') and the request's output cap.
 *
 * <p>The ledger's verdict may come later (a ledger shared across replicas): the exchange then waits, and is
 * passed on or answered on its own event loop; when its client left meanwhile it ends as cancelled (499) and what
 * was reserved is given back. With {@code [shared] on_unavailable = "deny"} and Redis away, the answer is 503
 * {@code limits_unavailable}. Buffer ownership: passes the exchange on or ends it; holds no buffer.
 */
@ChannelHandler.Sharable
public final class BudgetHandler extends ChannelInboundHandlerAdapter {
    /** The output a request may produce when it names no cap and the price table knows none for its model. */
    static final long DEFAULT_OUTPUT_CAP = 32_768;
    /**
     * The prompt's worst case from its bytes: a token of text is rarely under 3 bytes of UTF-8 (English runs about
     * 4, CJK about 3), and the JSON around the text only adds bytes, so bytes / 3 overestimates.
     */
    static final int BYTES_PER_TOKEN = 3;

    private final Supplier<Budgets> budgets;

    public BudgetHandler(Supplier<Budgets> budgets) {
        this.budgets = budgets;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Exchange exchange) || exchange.principal() == null || exchange.route() == null) {
            ctx.fireChannelRead(msg);
            return;
        }
        Budgets current = budgets.get();
        List<BudgetLedger.Budget> held = current.of(exchange.principal().name());
        if (held == null) {
            ctx.fireChannelRead(exchange);
            return;
        }
        CompletionStage<BudgetLedger.Verdict> verdict = current.ledger().reserve(held, worstCase(exchange),
                System.currentTimeMillis());
        CompletableFuture<BudgetLedger.Verdict> now = verdict.toCompletableFuture();
        if (now.isDone() && !now.isCompletedExceptionally()) {
            decide(ctx, exchange, now.join());
            return;
        }
        // A shared ledger answers on this loop (its connection is the loop's): decided there without a hop.
        verdict.whenComplete((answer, failure) -> {
            if (ctx.executor().inEventLoop()) {
                answered(ctx, exchange, answer, failure);
            } else {
                ctx.executor().execute(() -> answered(ctx, exchange, answer, failure));
            }
        });
    }

    private static void answered(ChannelHandlerContext ctx, Exchange exchange, BudgetLedger.Verdict verdict,
                                 Throwable failure) {
        if (failure == null) {
            decide(ctx, exchange, verdict);
        } else if (!exchange.endIfClientLeft()) {
            exchange.fail(ApiError.internal("The budget ledger failed: " + failure.getMessage()));
        }
    }

    private static void decide(ChannelHandlerContext ctx, Exchange exchange, BudgetLedger.Verdict verdict) {
        if (exchange.endIfClientLeft()) {
            // Ended, or its client left, while the verdict was on its way: nothing goes on, nothing stays held.
            if (verdict.admitted()) {
                verdict.hold().cancel();
            }
            return;
        }
        if (verdict.unavailable()) {
            exchange.fail(ApiError.sharedLimitsUnavailable());
        } else if (!verdict.admitted()) {
            exchange.fail(ApiError.budgetExceeded(verdict.refusal().message(), verdict.refusal().retryAfterSeconds()));
        } else {
            exchange.holdBudget(verdict.hold());
            ctx.fireChannelRead(exchange);
        }
    }

    /**
     * The most the request may cost, in picodollars: its prompt at bytes / {@value #BYTES_PER_TOKEN} tokens and its
     * output cap (what it asks for, else the model's, else {@value #DEFAULT_OUTPUT_CAP}), at the dearest rates of
     * any model it may be served by. 0 when none of them has a price (nothing can be reserved; the README says so).
     */
    static long worstCase(Exchange exchange) {
        long promptTokens = (exchange.request().content().readableBytes() + BYTES_PER_TOKEN - 1) / BYTES_PER_TOKEN;
        RequestFacts body = exchange.body();
        long output = body == null ? -1 : body.maxOutputTokens();
        return Math.max(0, exchange.route().worstCase(promptTokens, output, DEFAULT_OUTPUT_CAP));
    }
}
