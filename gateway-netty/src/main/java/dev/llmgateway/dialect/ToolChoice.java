package dev.llmgateway.dialect;

/** Whether and which tools the model may call: OpenAI auto/none/required/function, Anthropic auto/none/any/tool. */
public enum ToolChoice { AUTO, NONE, REQUIRED, TOOL }
