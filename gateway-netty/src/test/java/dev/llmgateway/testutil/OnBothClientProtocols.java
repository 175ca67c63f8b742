package dev.llmgateway.testutil;

import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs every test of the class once per {@link ClientProtocol}: the class takes the protocol in a static
 * {@code @BeforeParameterizedClassInvocation} method (for a gateway shared by its tests) or a
 * {@code @Parameter} field, and starts its gateways with it.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ParameterizedClass(name = "{0}")
@EnumSource(ClientProtocol.class)
public @interface OnBothClientProtocols {
}
