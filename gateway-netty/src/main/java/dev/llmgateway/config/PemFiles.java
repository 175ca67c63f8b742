package dev.llmgateway.config;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Certificates and keys read from PEM files when the config is loaded, so that a file the gateway cannot use fails
 * the load (or the reload) with the key that names it, not a later handshake. Text around the PEM blocks (the
 * comments of a CA bundle) is skipped.
 */
final class PemFiles {
    private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "EdDSA");

    private PemFiles() {
    }

    /** Every certificate in {@code file}, in order; at least one. */
    static List<X509Certificate> certificates(Path file) throws IOException, CertificateException {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        List<X509Certificate> certificates = new ArrayList<>();
        for (byte[] der : blocks(Files.readString(file, StandardCharsets.US_ASCII), "CERTIFICATE")) {
            certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
        }
        if (certificates.isEmpty()) {
            throw new CertificateException("no PEM certificate (-----BEGIN CERTIFICATE-----) in it");
        }
        return List.copyOf(certificates);
    }

    /** The unencrypted PKCS#8 key in {@code file} (RSA, EC or EdDSA), what both TLS engines take. */
    static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        List<byte[]> keys = blocks(text, "PRIVATE KEY");
        if (keys.size() != 1) {
            boolean otherForm = text.contains("-----BEGIN RSA PRIVATE KEY-----")
                    || text.contains("-----BEGIN EC PRIVATE KEY-----")
                    || text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----");
            throw new InvalidKeySpecException(otherForm
                    ? "not an unencrypted PKCS#8 key: convert it with openssl pkcs8 -topk8 -nocrypt"
                    : "expected one PEM key (-----BEGIN PRIVATE KEY-----), found " + keys.size());
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(keys.get(0));
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (InvalidKeySpecException notThisAlgorithm) {
                // the next one
            }
        }
        throw new InvalidKeySpecException("a key of neither RSA, EC nor EdDSA");
    }

    /** True when {@code key} is the private half of {@code certificate}'s public key: it signs what that verifies. */
    static boolean belongTogether(PrivateKey key, X509Certificate certificate) throws GeneralSecurityException {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm();
        };
        byte[] probe = "llm-gateway key check".getBytes(StandardCharsets.US_ASCII);
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(probe);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        try {
            verifier.initVerify(certificate.getPublicKey());
        } catch (GeneralSecurityException differentAlgorithms) {
            return false;
        }
        verifier.update(probe);
        return verifier.verify(signature);
    }

    /** Why a file could not be used, for the problem's expected-value text. */
    static String why(Exception e) {
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private static List<byte[]> blocks(String text, String type) {
        Matcher block = Pattern.compile("-----BEGIN " + type + "-----([A-Za-z0-9+/=\\s]+)-----END " + type + "-----")
                .matcher(text);
        List<byte[]> found = new ArrayList<>();
        while (block.find()) {
            found.add(Base64.getMimeDecoder().decode(block.group(1)));
        }
        return found;
    }
}
