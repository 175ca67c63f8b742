package dev.llmgateway.dialect;

/** The two speakers of a translated conversation; tool results travel in a user turn, system text on its own. */
public enum Role { USER, ASSISTANT }
