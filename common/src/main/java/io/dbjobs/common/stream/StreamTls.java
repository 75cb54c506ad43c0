package io.dbjobs.common.stream;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * Mutual TLS for streams, from PEM files: this side's certificate chain, its private key (PKCS#8,
 * {@code BEGIN PRIVATE KEY}, unencrypted) and the CA certificate(s) the peer's certificate must be
 * issued by. The listener requires a client certificate; both sides verify the peer's chain against
 * the CA. The JDK's host name check is off: which of the CA's certificates the peer must hold is
 * checked by the stream itself, per stream, against a {@link PeerIdentity} (the listener's in the
 * {@link StreamTarget}, the sender's in {@link StreamListener#expect}); the per-job secret proves
 * it is the intended peer of the stream.
 *
 * <p>The files are read and checked when this object is built; every problem is CONFIG_INVALID
 * naming the file.
 */
public final class StreamTls {
  private static final Pattern PEM_BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);
  private static final String[] TLS_PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private final Path certPem;
  private final Path keyPem;
  private final Path caPem;
  private final SslContext server;
  private final SslContext client;

  /**
   * @param certPem this side's certificate, optionally followed by intermediates
   * @param keyPem this side's private key, PKCS#8 PEM
   * @param caPem the CA certificate(s) that issued the peers' certificates
   * @throws DbJobsException CONFIG_INVALID naming the file that is missing, unreadable or malformed
   */
  public StreamTls(Path certPem, Path keyPem, Path caPem) {
    this.certPem = certPem;
    this.keyPem = keyPem;
    this.caPem = caPem;
    List<X509Certificate> chain = certificates(certPem, "certificate (tls.cert)");
    PrivateKey key = privateKey(keyPem);
    List<X509Certificate> cas = certificates(caPem, "CA certificate (tls.ca)");
    checkKeyMatches(key, chain.get(0));
    try {
      server =
          SslContextBuilder.forServer(key, chain)
              .trustManager(cas)
              .clientAuth(ClientAuth.REQUIRE)
              .sslProvider(SslProvider.JDK)
              .protocols(TLS_PROTOCOLS)
              .build();
      client =
          SslContextBuilder.forClient()
              .keyManager(key, chain)
              .trustManager(cas)
              .sslProvider(SslProvider.JDK)
              .protocols(TLS_PROTOCOLS)
              .endpointIdentificationAlgorithm(null)
              .build();
    } catch (SSLException | RuntimeException e) {
      throw new DbJobsException(
          ErrorCode.CONFIG_INVALID,
          "cannot build TLS contexts from "
              + certPem
              + ", "
              + keyPem
              + " and "
              + caPem
              + ": "
              + DbJobsException.describe(e),
          e);
    }
  }

  /** The listener's context: requires and verifies a client certificate. */
  SslContext serverContext() {
    return server;
  }

  /** The sender's context: presents this side's certificate and verifies the listener's. */
  SslContext clientContext() {
    return client;
  }

  public Path certPem() {
    return certPem;
  }

  public Path keyPem() {
    return keyPem;
  }

  public Path caPem() {
    return caPem;
  }

  private static List<X509Certificate> certificates(Path file, String what) {
    List<byte[]> blocks = pemBlocks(file, what, "CERTIFICATE");
    List<X509Certificate> certs = new ArrayList<>();
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      for (byte[] der : blocks) {
        X509Certificate c = (X509Certificate) cf.generateCertificate(new ByteArrayInputStream(der));
        c.checkValidity();
        certs.add(c);
      }
    } catch (CertificateExpiredException | CertificateNotYetValidException e) {
      throw invalid(file, what + " is not valid now: " + e.getMessage(), e);
    } catch (CertificateException | ClassCastException e) {
      throw invalid(file, what + " is not a readable X.509 certificate: " + e.getMessage(), e);
    }
    return certs;
  }

  private static PrivateKey privateKey(Path file) {
    String what = "private key (tls.key)";
    String text = read(file, what);
    if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
      throw invalid(
          file,
          what
              + " is encrypted; dbjobs reads unencrypted PKCS#8 keys: openssl pkcs8 -topk8 -nocrypt"
              + " -in "
              + file
              + " -out key.pk8.pem",
          null);
    }
    if (text.contains("-----BEGIN RSA PRIVATE KEY-----")
        || text.contains("-----BEGIN EC PRIVATE KEY-----")) {
      throw invalid(
          file,
          what
              + " is in the old PKCS#1/SEC1 format; convert it to PKCS#8: openssl pkcs8 -topk8"
              + " -nocrypt -in "
              + file
              + " -out key.pk8.pem",
          null);
    }
    List<byte[]> blocks = pemBlocks(file, what, "PRIVATE KEY");
    if (blocks.size() != 1) {
      throw invalid(file, what + " holds " + blocks.size() + " keys, expected one", null);
    }
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(blocks.get(0));
    for (String alg : new String[] {"RSA", "EC", "Ed25519", "Ed448"}) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        // not this algorithm; try the next one
      }
    }
    throw invalid(file, what + " is not a readable RSA, EC or EdDSA PKCS#8 key", null);
  }

  private static void checkKeyMatches(PrivateKey key, X509Certificate cert) {
    PublicKey pub = cert.getPublicKey();
    String alg =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          default -> key.getAlgorithm();
        };
    byte[] probe = "dbjobs key check".getBytes(StandardCharsets.US_ASCII);
    boolean ok;
    try {
      Signature s = Signature.getInstance(alg);
      s.initSign(key);
      s.update(probe);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(alg);
      v.initVerify(pub);
      v.update(probe);
      ok = v.verify(sig);
    } catch (GeneralSecurityException e) {
      ok = false;
    }
    if (!ok) {
      throw new DbJobsException(
          ErrorCode.CONFIG_INVALID,
          "the private key (tls.key) does not belong to the certificate (tls.cert) "
              + cert.getSubjectX500Principal().getName());
    }
  }

  private static List<byte[]> pemBlocks(Path file, String what, String label) {
    String text = read(file, what);
    List<byte[]> out = new ArrayList<>();
    Matcher m = PEM_BLOCK.matcher(text);
    while (m.find()) {
      if (!m.group(1).equals(label)) {
        continue;
      }
      try {
        out.add(Base64.getMimeDecoder().decode(m.group(2).trim()));
      } catch (IllegalArgumentException e) {
        throw invalid(file, what + " has a " + label + " block that is not valid base64", e);
      }
    }
    if (out.isEmpty()) {
      throw invalid(file, what + " holds no '-----BEGIN " + label + "-----' block", null);
    }
    return out;
  }

  private static String read(Path file, String what) {
    if (file == null) {
      throw new DbJobsException(ErrorCode.CONFIG_INVALID, "TLS " + what + " file is not set");
    }
    try {
      return Files.readString(file, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw invalid(file, what + " cannot be read: " + DbJobsException.describe(e), e);
    }
  }

  private static DbJobsException invalid(Path file, String message, Throwable cause) {
    String m = "TLS file " + file + ": " + message;
    return cause == null
        ? new DbJobsException(ErrorCode.CONFIG_INVALID, m)
        : new DbJobsException(ErrorCode.CONFIG_INVALID, m, cause);
  }

  @Override
  public String toString() {
    return "StreamTls[cert=" + certPem + ", key=" + keyPem + ", ca=" + caPem + "]";
  }
}
