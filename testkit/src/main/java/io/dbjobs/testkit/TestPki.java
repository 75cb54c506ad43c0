package io.dbjobs.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small test PKI made with the {@code openssl} CLI, for stream TLS across modules: one CA and two
 * leaf certificates ({@code receiver}, {@code sender}) usable for both server and client auth, and
 * an {@code intruder} leaf issued by an unrelated CA. Keys are unencrypted PKCS#8 PEM, as dbjobs
 * reads them.
 */
public final class TestPki {
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
      p.leaf("receiver", "ca");
      p.leaf("sender", "ca");
      p.leaf("intruder", "other-ca");
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

  private void leaf(String name, String authority) throws IOException {
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
            "/CN=" + name));
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
            "leaf.ext"));
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
