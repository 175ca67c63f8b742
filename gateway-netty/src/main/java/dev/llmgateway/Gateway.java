package dev.llmgateway;

public final class Gateway {
    public static void main(String[] args) {
    }
}
