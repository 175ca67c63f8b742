package dev.llmgateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Edge cases of the duration, byte-size and ${VAR} parsers behind every setting. */
class ConfigValueParsersTest {
    @Test
    void parsesDurations() {
        assertEquals(Duration.ZERO, Durations.parse("0ms"));
        assertEquals(Duration.ZERO, Durations.parse("0s"));
        assertEquals(Duration.ofMillis(250), Durations.parse("250ms"));
        assertEquals(Duration.ofSeconds(10), Durations.parse("10s"));
        assertEquals(Duration.ofMinutes(5), Durations.parse("5m"));
        assertEquals(Duration.ofHours(1), Durations.parse("1h"));
        assertEquals(Duration.ofMillis(1500), Durations.parse("1.5s"));
        assertEquals(Duration.ofSeconds(90), Durations.parse("1m30s"));
        assertEquals(Duration.ofMillis(3_723_004), Durations.parse("1h2m3s4ms"));
        assertEquals(Duration.ofNanos(1500), Durations.parse("0.0015ms"));
        assertEquals(Duration.ofSeconds(5 * 60 + 5).plusMillis(5), Durations.parse("5m5s5ms"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10", "-1s", "1.s", ".5s", "10 s", "1d", "10S", "s", "1m30", "5ms ", "1e3s",
            "9999999999h"})
    void rejectsMalformedDurations(String text) {
        assertThrows(IllegalArgumentException.class, () -> Durations.parse(text));
    }

    @Test
    void parsesByteSizes() {
        assertEquals(1024, ByteSizes.parse("1024"));
        assertEquals(0, ByteSizes.parse("0"));
        assertEquals(100, ByteSizes.parse("100B"));
        assertEquals(512 * 1024, ByteSizes.parse("512KiB"));
        assertEquals(10L << 20, ByteSizes.parse("10MiB"));
        assertEquals(10_000_000, ByteSizes.parse("10MB"));
        assertEquals(2_000, ByteSizes.parse("2kb"));
        assertEquals(1L << 30, ByteSizes.parse("1 GiB"));
        assertEquals(3L << 20, ByteSizes.parse(" 3mib "));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "MiB", "-1", "1.5MiB", "10 MiBs", "10TB", "0x10", "99999999999GiB",
            "99999999999999999999"})
    void rejectsMalformedByteSizes(String text) {
        assertThrows(IllegalArgumentException.class, () -> ByteSizes.parse(text));
    }

    @Test
    void sizeSettingsAcceptIntegersAndStringsWithinBounds() throws ConfigException {
        ServerConfig server = ConfigLoader.parse(ConfigLoaderTest.MINIMAL_KEY + """
                [server]
                max_request_bytes = "1KiB"
                max_header_bytes = "1MiB"
                max_initial_line_bytes = 1024
                """, "t", Map.of()).server();
        assertEquals(1024, server.maxRequestBytes());
        assertEquals(1 << 20, server.maxHeaderBytes());
        assertEquals(1024, server.maxInitialLineBytes());

        assertEquals(java.util.List.of(
                "server.max_request_bytes: \"1023B\" (expected: a byte size of at least 1024,"
                        + " as an integer or a string such as \"512KiB\" or \"10MB\")",
                "server.max_header_bytes: 1048577 (expected: a byte size from 1024 to 1048576,"
                        + " as an integer or a string such as \"512KiB\" or \"10MB\")"),
                assertThrows(ConfigException.class, () -> ConfigLoader.parse(ConfigLoaderTest.MINIMAL_KEY + """
                        [server]
                        max_request_bytes = "1023B"
                        max_header_bytes = 1048577
                        """, "t", Map.of())).problems());
    }

    @Test
    void substitutesVariables() {
        Map<String, String> env = Map.of("A", "1", "EMPTY", "", "B_2", "two");
        assertEquals(new EnvSubstitution.Result("x1y", null, false), EnvSubstitution.apply("x${A}y", env));
        assertEquals("1two", EnvSubstitution.apply("${A}${B_2}", env).value());
        assertEquals("", EnvSubstitution.apply("${EMPTY}", env).value());
        assertEquals("d", EnvSubstitution.apply("${EMPTY:-d}", env).value());
        assertEquals("1", EnvSubstitution.apply("${A:-d}", env).value());
        assertEquals("a:-b", EnvSubstitution.apply("${UNSET:-a:-b}", env).value());
        assertEquals("", EnvSubstitution.apply("${UNSET:-}", env).value());
        assertEquals("${A}", EnvSubstitution.apply("$${A}", env).value());
        assertEquals("$1", EnvSubstitution.apply("$$${A}", env).value());
        assertEquals("cost: $5 $", EnvSubstitution.apply("cost: $5 $", env).value());
        assertEquals(new EnvSubstitution.Result(null, "FIRST", false),
                EnvSubstitution.apply("${FIRST}${A}${SECOND}", env));
    }

    @ParameterizedTest
    @ValueSource(strings = {"${", "${A", "${}", "${1A}", "${A B}", "${:-x}", "${A-x}"})
    void flagsMalformedReferences(String text) {
        assertEquals(new EnvSubstitution.Result(null, null, true), EnvSubstitution.apply(text, Map.of("A", "1")));
    }
}
