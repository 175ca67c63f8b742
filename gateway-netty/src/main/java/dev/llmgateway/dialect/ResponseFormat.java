package dev.llmgateway.dialect;

/** A structured-output request: any JSON object, or JSON matching a schema. */
public enum ResponseFormat { JSON_OBJECT, JSON_SCHEMA }
