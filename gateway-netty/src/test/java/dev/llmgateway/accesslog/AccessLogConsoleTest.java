package dev.llmgateway.accesslog;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AccessLogConsoleTest {
    @Test
    void writesOneReadableLine() {
        List<String> lines = AccessLogJsonTest.logAll(AccessLog.Format.CONSOLE, SampleRecords.chat().build());

        assertEquals(List.of("2026-11-22T06:00:00.000Z 200 POST /v1/chat/completions demo gpt-4o→openai 123.4ms "
                + "ttft=45.0ms in=12 out=34 req_abc"), lines);
    }

    @Test
    void showsOutcomeAndErrorAndLeavesOutWhatIsUnknown() {
        List<String> lines = AccessLogJsonTest.logAll(AccessLog.Format.CONSOLE,
                SampleRecords.chat().rejectedBeforeRouting(401, "invalid_api_key").durationNanos(250_000).build());

        assertEquals(List.of("2026-11-22T06:00:00.000Z 401 POST /v1/chat/completions - - 0.3ms rejected "
                + "error=invalid_api_key req_abc"), lines);
    }

    @Test
    void showsTheAliasWhenNoModelWasNamed() {
        List<String> lines = AccessLogJsonTest.logAll(AccessLog.Format.CONSOLE, SampleRecords.chat()
                .requestedModel(null).stream(false).ttftNanos(-1).outcome(Outcome.UPSTREAM_ERROR).status(502)
                .errorType("upstream_unreachable").tokens(-1, -1, -1).build());

        assertEquals(List.of("2026-11-22T06:00:00.000Z 502 POST /v1/chat/completions demo gpt-4o→openai 123.4ms "
                + "upstream_error error=upstream_unreachable req_abc"), lines);
    }
}
