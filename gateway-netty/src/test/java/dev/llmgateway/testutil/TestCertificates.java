package dev.llmgateway.testutil;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates made once per test JVM (EC P-256, quick to make): a CA, server certificates it signs, a second CA
 * nobody trusts, each written as PEM (certificate chain, PKCS#8 key) into a temporary directory removed at exit.
 * No key material lives in the repository.
 */
public final class TestCertificates {
    /** A server certificate: its PEM files and the objects, for contexts built in a test. */
    public record Issued(Path certFile, Path keyFile, X509Certificate certificate, PrivateKey key) {
        public List<X509Certificate> chain() {
            return List.of(certificate);
        }
    }

    /** A CA: its certificate as a PEM bundle, and what it signs with. */
    public record Authority(Path certFile, X509Certificate certificate, PrivateKey key) {
    }

    private static final Instant NOW = Instant.now();
    private static final AtomicLong SERIAL = new AtomicLong(NOW.toEpochMilli());
    private static final Path DIR = tempDir();
    private static final Authority CA = authority("gateway-test-ca");
    private static final Authority OTHER_CA = authority("gateway-test-untrusted-ca");
    private static final Issued LOCALHOST = issue(CA, "localhost", "localhost");
    private static final Issued LOCALHOST_AGAIN = issue(CA, "localhost-2", "localhost");
    private static final Issued WRONG_HOST = issue(CA, "wrong-host", "wrong.example");
    private static final Issued UNTRUSTED = issue(OTHER_CA, "untrusted", "localhost");

    private TestCertificates() {
    }

    /** The CA the tests trust (what a provider's {@code ca_file} names). */
    public static Authority ca() {
        return CA;
    }

    /** A CA that signed {@link #untrusted()} and that no test trusts. */
    public static Authority otherCa() {
        return OTHER_CA;
    }

    /** Valid for localhost, 127.0.0.1 and ::1, signed by {@link #ca()}. */
    public static Issued localhost() {
        return LOCALHOST;
    }

    /** Another certificate for the same names and CA: a reload can swap it in and a client can tell which it got. */
    public static Issued localhostAgain() {
        return LOCALHOST_AGAIN;
    }

    /** Signed by {@link #ca()} but for wrong.example only: hostname verification must refuse it on 127.0.0.1. */
    public static Issued wrongHost() {
        return WRONG_HOST;
    }

    /** Valid names, signed by {@link #otherCa()}. */
    public static Issued untrusted() {
        return UNTRUSTED;
    }

    /** A JDK client context that trusts {@link #ca()} only. */
    public static SSLContext trustingCa() {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            store.setCertificateEntry("gateway-test-ca", CA.certificate());
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a client context trusting the test CA", e);
        }
    }

    private static Authority authority(String name) {
        try {
            KeyPair pair = keyPair();
            X500Name subject = new X500Name("CN=" + name);
            X509v3CertificateBuilder builder = builder(subject, subject, pair)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true,
                            new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
            X509Certificate certificate = sign(builder, pair.getPrivate());
            return new Authority(writePem(name + ".crt", "CERTIFICATE", certificate.getEncoded()), certificate,
                    pair.getPrivate());
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make the test CA " + name, e);
        }
    }

    /** A leaf for {@code dnsName}; one for localhost also names 127.0.0.1 and ::1. */
    private static Issued issue(Authority issuer, String fileName, String dnsName) {
        try {
            KeyPair pair = keyPair();
            GeneralName[] names = dnsName.equals("localhost")
                    ? new GeneralName[] {new GeneralName(GeneralName.dNSName, dnsName),
                            new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                            new GeneralName(GeneralName.iPAddress, "::1")}
                    : new GeneralName[] {new GeneralName(GeneralName.dNSName, dnsName)};
            X509v3CertificateBuilder builder = builder(
                    X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded()),
                    new X500Name("CN=" + dnsName), pair)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
            X509Certificate certificate = sign(builder, issuer.key());
            return new Issued(writePem(fileName + ".crt", "CERTIFICATE", certificate.getEncoded()),
                    writePem(fileName + ".key", "PRIVATE KEY", pair.getPrivate().getEncoded()), certificate,
                    pair.getPrivate());
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make the test certificate " + fileName, e);
        }
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair pair) {
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(NOW.minus(Duration.ofDays(1))), Date.from(NOW.plus(Duration.ofDays(30))), subject,
                pair.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuerKey)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
    }

    private static KeyPair keyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static Path writePem(String name, String type, byte[] der) throws IOException {
        String pem = "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
        Path file = DIR.resolve(name);
        Files.writeString(file, pem, StandardCharsets.US_ASCII);
        file.toFile().deleteOnExit();
        return file;
    }

    private static Path tempDir() {
        try {
            Path dir = Files.createTempDirectory("gateway-test-certs");
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A PEM file holding {@code parts} one after another (a bundle, or a chain), in the same directory. */
    public static Path concatenated(String name, Path... parts) {
        try {
            StringBuilder all = new StringBuilder();
            for (Path part : Arrays.asList(parts)) {
                all.append(Files.readString(part, StandardCharsets.US_ASCII));
            }
            Path file = DIR.resolve(name);
            Files.writeString(file, all, StandardCharsets.US_ASCII);
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
