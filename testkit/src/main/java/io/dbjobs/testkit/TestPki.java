package io.dbjobs.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A small test PKI made with the {@code openssl} CLI, for stream TLS across modules: one CA and two
 * leaf certificates ({@code receiver}, {@code sender}) usable for both server and client auth, and
 * an {@code intruder} leaf issued by an unrelated CA; these name {@code DNS:localhost} and {@code
 * IP:127.0.0.1}. Certificates for named nodes ({@link #node}: {@code DNS:<node>} only) are issued
 * on demand from the same CA, or from the unrelated one ({@link #foreignNode}). Keys are
 * unencrypted PKCS#8 PEM, as dbjobs reads them.
 */
public final class TestPki {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.-]{0,62}");

  /** A leaf certificate and its key. */
  public record Leaf(Path cert, Path key) {}

  private final Path dir;

  private TestPki(Path dir) {
    this.dir = dir;
  }

  /** Makes the CA and both leaves in {@code dir} (valid for two days). */
  public static TestPki generate(Path dir) {
    TestPki p = new TestPki(dir);
    try {
      Files.createDirectories(dir);
      Files.writeString(
          dir.resolve("leaf.ext"),
          "basicConstraints=CA:FALSE\n"
              + "keyUsage=digitalSignature,keyEncipherment\n"
              + "extendedKeyUsage=serverAuth,clientAuth\n"
              + "subjectAltName=DNS:localhost,IP:127.0.0.1\n",
          StandardCharsets.US_ASCII);
      p.authority("ca", "dbjobs test CA");
      p.authority("other-ca", "some other CA");
      p.issue("receiver", "receiver", "ca", "leaf.ext");
      p.issue("sender", "sender", "ca", "leaf.ext");
      p.issue("intruder", "intruder", "other-ca", "leaf.ext");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p;
  }

  public Path ca() {
    return dir.resolve("ca.pem");
  }

  /** A leaf's certificate: {@code receiver}, {@code sender} or {@code intruder}. */
  public Path cert(String leaf) {
    return dir.resolve(leaf + ".pem");
  }

  /** A leaf's PKCS#8 key. */
  public Path key(String leaf) {
    return dir.resolve(leaf + ".key");
  }

  /**
   * A certificate for node {@code name} from the test CA, with {@code DNS:<name>} as its only
   * subject alternative name (CN {@code name}), for server and client auth. Issued on first use.
   */
  public synchronized Leaf node(String name) {
    return custom("node-" + checked(name), name, "DNS:" + name);
  }

  /**
   * Like {@link #node}, but issued by the unrelated CA: names the node, yet is not to be trusted.
   */
  public synchronized Leaf foreignNode(String name) {
    return custom("foreign-" + checked(name), name, "DNS:" + name, "other-ca");
  }

  /**
   * A certificate from the test CA with exactly {@code subjectAltName} (openssl syntax, e.g. {@code
   * DNS:*.example.org,IP:10.0.0.1}), or none when null; its CN is {@code commonName}. Issued on
   * first use under {@code file}.
   */
  public synchronized Leaf custom(String file, String commonName, String subjectAltName) {
    return custom(file, commonName, subjectAltName, "ca");
  }

  private Leaf custom(String file, String commonName, String subjectAltName, String authority) {
    checked(file);
    Leaf leaf = new Leaf(dir.resolve(file + ".pem"), dir.resolve(file + ".key"));
    if (Files.exists(leaf.cert())) {
      return leaf;
    }
    try {
      String ext = file + ".ext";
      Files.writeString(
          dir.resolve(ext),
          "basicConstraints=CA:FALSE\n"
              + "keyUsage=digitalSignature,keyEncipherment\n"
              + "extendedKeyUsage=serverAuth,clientAuth\n"
              + (subjectAltName == null ? "" : "subjectAltName=" + subjectAltName + "\n"),
          StandardCharsets.US_ASCII);
      issue(file, commonName, authority, ext);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return leaf;
  }

  private static String checked(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "test PKI name '" + name + "' must match " + NAME.pattern());
    }
    return name;
  }

  private void authority(String name, String commonName) throws IOException {
    run(
        List.of(
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            name + ".key",
            "-out",
            name + ".pem",
            "-days",
            "3",
            "-subj",
            "/CN=" + commonName));
  }

  private void issue(String name, String commonName, String authority, String extFile)
      throws IOException {
    run(
        List.of(
            "openssl",
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            name + ".key",
            "-out",
            name + ".csr",
            "-subj",
            "/CN=" + commonName));
    run(
        List.of(
            "openssl",
            "x509",
            "-req",
            "-in",
            name + ".csr",
            "-CA",
            authority + ".pem",
            "-CAkey",
            authority + ".key",
            "-CAcreateserial",
            "-out",
            name + ".pem",
            "-days",
            "2",
            "-extfile",
            extFile));
  }

  private void run(List<String> cmd) throws IOException {
    List<String> argv = new ArrayList<>(cmd);
    Process p = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException(String.join(" ", cmd) + " failed: " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted running openssl", e);
    }
  }
}
