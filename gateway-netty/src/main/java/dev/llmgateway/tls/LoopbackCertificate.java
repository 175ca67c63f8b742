package dev.llmgateway.tls;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;

/**
 * A self-signed certificate for 127.0.0.1 alone, made in memory with a fresh EC P-256 key and valid for a day: what
 * the start-up warm-up serves TLS with on its loopback listener, and trusts as the only CA of its loopback provider,
 * so the upstream TLS path is compiled before real traffic comes. The JDK has no public API that makes a
 * certificate, so its few DER structures (X.509 v3, RFC 5280) are written here; the key never leaves the process
 * (a class, not a record, so that no generated {@code toString} prints it).
 */
public final class LoopbackCertificate {
    private static final int SEQUENCE = 0x30;
    private static final int SET = 0x31;
    private static final int INTEGER = 0x02;
    private static final int BIT_STRING = 0x03;
    private static final int OCTET_STRING = 0x04;
    private static final int OBJECT_ID = 0x06;
    private static final int UTF8_STRING = 0x0c;
    private static final int UTC_TIME = 0x17;
    private static final int VERSION_TAG = 0xa0;
    private static final int EXTENSIONS_TAG = 0xa3;
    private static final int SAN_IP_ADDRESS = 0x87;
    private static final byte[] ECDSA_WITH_SHA256 = {0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x04, 0x03, 0x02};
    private static final byte[] COMMON_NAME = {0x55, 0x04, 0x03};
    private static final byte[] SUBJECT_ALT_NAME = {0x55, 0x1d, 0x11};
    private static final byte[] LOOPBACK = {127, 0, 0, 1};
    private static final DateTimeFormatter UTC_TIME_FORMAT =
            DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);

    private final PrivateKey key;
    private final X509Certificate certificate;

    private LoopbackCertificate(PrivateKey key, X509Certificate certificate) {
        this.key = key;
        this.certificate = certificate;
    }

    public PrivateKey key() {
        return key;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** A new key and its certificate, valid from an hour ago to a day from now. */
    public static LoopbackCertificate make() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = generator.generateKeyPair();
        Instant now = Instant.now();
        byte[] name = der(SEQUENCE, der(SET, der(SEQUENCE, der(OBJECT_ID, COMMON_NAME),
                der(UTF8_STRING, "llm-gateway warm-up".getBytes(StandardCharsets.UTF_8)))));
        byte[] algorithm = der(SEQUENCE, der(OBJECT_ID, ECDSA_WITH_SHA256));
        byte[] subjectAltName = der(SEQUENCE, der(OBJECT_ID, SUBJECT_ALT_NAME),
                der(OCTET_STRING, der(SEQUENCE, der(SAN_IP_ADDRESS, LOOPBACK))));
        byte[] toBeSigned = der(SEQUENCE,
                der(VERSION_TAG, der(INTEGER, new byte[] {2})), // v3: extensions follow
                der(INTEGER, new BigInteger(64, new SecureRandom()).add(BigInteger.ONE).toByteArray()),
                algorithm,
                name,
                der(SEQUENCE, utcTime(now.minus(Duration.ofHours(1))), utcTime(now.plus(Duration.ofDays(1)))),
                name,
                pair.getPublic().getEncoded(), // already a DER SubjectPublicKeyInfo
                der(EXTENSIONS_TAG, der(SEQUENCE, subjectAltName)));
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(pair.getPrivate());
        signer.update(toBeSigned);
        byte[] signature = signer.sign();
        byte[] bits = new byte[signature.length + 1]; // a leading 0: no unused bits
        System.arraycopy(signature, 0, bits, 1, signature.length);
        byte[] encoded = der(SEQUENCE, toBeSigned, algorithm, der(BIT_STRING, bits));
        X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(encoded));
        return new LoopbackCertificate(pair.getPrivate(), certificate);
    }

    /** The certificate as PEM, as a {@code ca_file} holds it. */
    public String pem() throws GeneralSecurityException {
        return "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(certificate.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }

    private static byte[] utcTime(Instant instant) {
        return der(UTC_TIME, UTC_TIME_FORMAT.format(instant).getBytes(StandardCharsets.US_ASCII));
    }

    /** One DER element: tag, definite length (short form under 128, else long form), then the parts' bytes. */
    private static byte[] der(int tag, byte[]... parts) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            content.writeBytes(part);
        }
        int length = content.size();
        ByteArrayOutputStream element = new ByteArrayOutputStream(length + 4);
        element.write(tag);
        if (length < 0x80) {
            element.write(length);
        } else {
            int bytes = length < 0x100 ? 1 : 2; // what is encoded here stays under 64 KiB
            element.write(0x80 | bytes);
            for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) {
                element.write(length >>> shift);
            }
        }
        element.writeBytes(content.toByteArray());
        return element.toByteArray();
    }
}
