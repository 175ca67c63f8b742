package dev.llmgateway.dialect.openai;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.dialect.EncodedEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.AsciiString;

import java.io.IOException;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Writes an answer as the Responses API's stream for a Responses client whose provider speaks another API: the
 * event sequence the openai SDKs and Codex parse, each event {@code event: <type>} and {@code data: <json>} with a
 * {@code sequence_number}: {@code response.created} and {@code response.in_progress}; per output item
 * {@code response.output_item.added}, its deltas ({@code response.content_part.added},
 * {@code response.output_text.delta}, ... for a message; {@code response.reasoning_summary_part.added},
 * {@code response.reasoning_summary_text.delta}, ... for reasoning; {@code response.function_call_arguments.delta}
 * for a function call), its done events and {@code response.output_item.done}; then {@code response.completed}
 * (or {@code response.incomplete} when the token limit cut the answer) with the whole output and the usage. A
 * custom tool's input reaches the client in one {@code response.custom_tool_call_input.delta} when its call is
 * complete (it travels inside JSON arguments, whose string is only known whole). A provider error or a cut stream
 * is an {@code error} event (which the openai SDKs raise) followed by {@code response.failed} (which Codex reads):
 * never a made-up {@code response.completed}. Each event is one buffer handed to {@code out}, which then owns it.
 * Confined to the exchange's thread.
 */
public final class ResponsesEventEncoder extends ResponsesAnswer {
    private static final int EVENT_SIZE = 256;

    /** Every event type written, with its {@code event:} line prepared. */
    private enum Type {
        CREATED("response.created"),
        IN_PROGRESS("response.in_progress"),
        ITEM_ADDED("response.output_item.added"),
        ITEM_DONE("response.output_item.done"),
        PART_ADDED("response.content_part.added"),
        PART_DONE("response.content_part.done"),
        TEXT_DELTA("response.output_text.delta"),
        TEXT_DONE("response.output_text.done"),
        SUMMARY_PART_ADDED("response.reasoning_summary_part.added"),
        SUMMARY_PART_DONE("response.reasoning_summary_part.done"),
        SUMMARY_DELTA("response.reasoning_summary_text.delta"),
        SUMMARY_DONE("response.reasoning_summary_text.done"),
        ARGUMENTS_DELTA("response.function_call_arguments.delta"),
        ARGUMENTS_DONE("response.function_call_arguments.done"),
        CUSTOM_INPUT_DELTA("response.custom_tool_call_input.delta"),
        CUSTOM_INPUT_DONE("response.custom_tool_call_input.done"),
        COMPLETED("response.completed"),
        INCOMPLETE("response.incomplete"),
        FAILED("response.failed"),
        ERROR("error");

        final AsciiString event;
        final SerializedString name;

        Type(String name) {
            this.event = AsciiString.cached(name);
            this.name = new SerializedString(name);
        }
    }

    private final EncodedEvent events;
    private int sequence;

    /**
     * @param model       the model the client asked for
     * @param requestId   the gateway's request id, which the response's and items' ids are made from
     * @param customTools the request's custom tools, whose calls are written as {@code custom_tool_call} items
     */
    public ResponsesEventEncoder(ByteBufAllocator alloc, Consumer<ByteBuf> out, String model, String requestId,
                                 Set<String> customTools) {
        super(model, requestId, customTools);
        this.events = new EncodedEvent(alloc, out);
    }

    @Override
    public void start(String id) {
        try {
            lifecycle(Type.CREATED, "in_progress", null);
            lifecycle(Type.IN_PROGRESS, "in_progress", null);
        } catch (IOException e) {
            throw events.failed(e);
        }
    }

    @Override
    void opened(Item item) {
        try {
            JsonGenerator g = event(Type.ITEM_ADDED);
            g.writeNumberField("output_index", item.outputIndex);
            g.writeFieldName("item");
            writeItem(g, item);
            send(g);
            if (item.kind == Kind.MESSAGE) {
                g = itemEvent(Type.PART_ADDED, item);
                g.writeNumberField("content_index", 0);
                g.writeFieldName("part");
                writeTextPart(g, "");
                send(g);
            }
        } catch (IOException e) {
            throw events.failed(e);
        }
    }

    @Override
    void grew(Item item, char[] chars, int offset, int length) {
        try {
            JsonGenerator g;
            switch (item.kind) {
                case MESSAGE -> {
                    g = itemEvent(Type.TEXT_DELTA, item);
                    g.writeNumberField("content_index", 0);
                    g.writeFieldName("delta");
                    g.writeString(chars, offset, length);
                    g.writeArrayFieldStart("logprobs");
                    g.writeEndArray();
                }
                case REASONING -> {
                    if (item.text.length() == length) { // the first piece: its summary part begins
                        g = itemEvent(Type.SUMMARY_PART_ADDED, item);
                        g.writeNumberField("summary_index", 0);
                        g.writeFieldName("part");
                        writeSummaryPart(g, "");
                        send(g);
                    }
                    g = itemEvent(Type.SUMMARY_DELTA, item);
                    g.writeNumberField("summary_index", 0);
                    g.writeFieldName("delta");
                    g.writeString(chars, offset, length);
                }
                default -> {
                    g = itemEvent(Type.ARGUMENTS_DELTA, item);
                    g.writeFieldName("delta");
                    g.writeString(chars, offset, length);
                }
            }
            send(g);
        } catch (IOException e) {
            throw events.failed(e);
        }
    }

    @Override
    void closed(Item item) {
        try {
            JsonGenerator g;
            switch (item.kind) {
                case MESSAGE -> {
                    g = itemEvent(Type.TEXT_DONE, item);
                    g.writeNumberField("content_index", 0);
                    g.writeStringField("text", item.text.toString());
                    g.writeArrayFieldStart("logprobs");
                    g.writeEndArray();
                    send(g);
                    g = itemEvent(Type.PART_DONE, item);
                    g.writeNumberField("content_index", 0);
                    g.writeFieldName("part");
                    writeTextPart(g, item.text);
                    send(g);
                }
                case REASONING -> {
                    if (!item.text.isEmpty()) {
                        g = itemEvent(Type.SUMMARY_DONE, item);
                        g.writeNumberField("summary_index", 0);
                        g.writeStringField("text", item.text.toString());
                        send(g);
                        g = itemEvent(Type.SUMMARY_PART_DONE, item);
                        g.writeNumberField("summary_index", 0);
                        g.writeFieldName("part");
                        writeSummaryPart(g, item.text);
                        send(g);
                    }
                }
                case FUNCTION_CALL -> {
                    g = itemEvent(Type.ARGUMENTS_DONE, item);
                    g.writeStringField("name", item.name);
                    g.writeStringField("arguments", item.text.toString());
                    send(g);
                }
                case CUSTOM_TOOL_CALL -> {
                    String input = item.text.toString();
                    g = itemEvent(Type.CUSTOM_INPUT_DELTA, item);
                    g.writeStringField("delta", input);
                    send(g);
                    g = itemEvent(Type.CUSTOM_INPUT_DONE, item);
                    g.writeStringField("input", input);
                    send(g);
                }
            }
            g = event(Type.ITEM_DONE);
            g.writeNumberField("output_index", item.outputIndex);
            g.writeFieldName("item");
            writeItem(g, item);
            send(g);
        } catch (IOException e) {
            throw events.failed(e);
        }
    }

    /** {@code response.completed}, or {@code response.incomplete}, with the whole output and the usage. */
    @Override
    public void end() {
        closeAll();
        String status = status();
        try {
            lifecycle(status.equals("completed") ? Type.COMPLETED : Type.INCOMPLETE, status, null);
        } catch (IOException e) {
            throw events.failed(e);
        }
    }

    /** An {@code error} event, then {@code response.failed}; the stream ends there. */
    @Override
    public void error(ApiError error) {
        try {
            JsonGenerator g = event(Type.ERROR);
            g.writeStringField("code", error.code() != null ? error.code() : error.type());
            g.writeStringField("message", error.message());
            g.writeStringField("param", error.param());
            send(g);
            lifecycle(Type.FAILED, "failed", error);
        } catch (IOException e) {
            throw events.failed(e);
        }
    }

    /** An event carrying the {@code response} object. */
    private void lifecycle(Type type, String status, ApiError error) throws IOException {
        JsonGenerator g = event(type);
        g.writeFieldName("response");
        writeResponse(g, status, error);
        send(g);
    }

    /** Starts an event about {@code item}: its {@code item_id} and {@code output_index}. */
    private JsonGenerator itemEvent(Type type, Item item) throws IOException {
        JsonGenerator g = event(type);
        g.writeStringField("item_id", item.id);
        g.writeNumberField("output_index", item.outputIndex);
        return g;
    }

    /** Starts an SSE event and its object: {@code type} and {@code sequence_number}. */
    private JsonGenerator event(Type type) throws IOException {
        JsonGenerator g = events.beginNamed(type.event, EVENT_SIZE);
        g.writeStartObject();
        g.writeFieldName("type");
        g.writeString(type.name);
        g.writeNumberField("sequence_number", sequence++);
        return g;
    }

    private void send(JsonGenerator g) throws IOException {
        g.writeEndObject();
        events.send();
    }
}
