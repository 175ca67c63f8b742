package dev.llmgateway.tls;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** The warm-up's certificate as a TLS peer checks it: signed by its own key, for 127.0.0.1 alone, valid now. */
class LoopbackCertificateTest {
    @Test
    void namesTheLoopbackAddressAloneAndIsSignedByItsOwnKey() throws Exception {
        LoopbackCertificate made = LoopbackCertificate.make();
        X509Certificate certificate = made.certificate();

        certificate.verify(certificate.getPublicKey()); // throws unless its signature is its key's
        certificate.checkValidity(new Date());
        assertEquals(3, certificate.getVersion());
        assertEquals(List.of(List.of(7, "127.0.0.1")), List.copyOf(certificate.getSubjectAlternativeNames()));
        assertEquals("EC", made.key().getAlgorithm());
        assertEquals(certificate, CertificateFactory.getInstance("X.509").generateCertificate(
                new ByteArrayInputStream(made.pem().getBytes(StandardCharsets.US_ASCII))), "the PEM is the same");
    }

    @Test
    void eachIsNew() throws Exception {
        LoopbackCertificate first = LoopbackCertificate.make();
        LoopbackCertificate second = LoopbackCertificate.make();
        assertNotEquals(first.certificate().getPublicKey(), second.certificate().getPublicKey());
        assertNotEquals(first.certificate().getSerialNumber(), second.certificate().getSerialNumber());
    }
}
