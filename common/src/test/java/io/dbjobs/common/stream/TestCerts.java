package io.dbjobs.common.stream;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test PKI made with the {@code openssl} CLI: a CA with a server and a client certificate, and an
 * unrelated CA with its own client certificate. Keys are unencrypted PKCS#8 PEM.
 */
final class TestCerts {
  final Path dir;
  final Path caCert;
  final Path serverCert;
  final Path serverKey;
  final Path clientCert;
  final Path clientKey;
  final Path otherCaCert;
  final Path otherClientCert;
  final Path otherClientKey;

  private TestCerts(Path dir) {
    this.dir = dir;
    this.caCert = dir.resolve("ca.pem");
    this.serverCert = dir.resolve("server.pem");
    this.serverKey = dir.resolve("server.key");
    this.clientCert = dir.resolve("client.pem");
    this.clientKey = dir.resolve("client.key");
    this.otherCaCert = dir.resolve("other-ca.pem");
    this.otherClientCert = dir.resolve("other-client.pem");
    this.otherClientKey = dir.resolve("other-client.key");
  }

  static TestCerts generate(Path dir) throws IOException, InterruptedException {
    TestCerts c = new TestCerts(dir);
    Files.writeString(
        dir.resolve("leaf.ext"),
        "basicConstraints=CA:FALSE\n"
            + "keyUsage=digitalSignature,keyEncipherment\n"
            + "extendedKeyUsage=serverAuth,clientAuth\n"
            + "subjectAltName=DNS:localhost,IP:127.0.0.1\n",
        StandardCharsets.US_ASCII);
    c.ca("ca", "dbjobs test CA");
    c.ca("other-ca", "unrelated CA");
    c.leaf("server", "ca", "db1.example", ecKey());
    c.leaf("client", "ca", "manager.example", List.of("-newkey", "rsa:2048"));
    c.leaf("other-client", "other-ca", "intruder.example", ecKey());
    return c;
  }

  StreamTls listenerTls() {
    return new StreamTls(serverCert, serverKey, caCert);
  }

  StreamTls senderTls() {
    return new StreamTls(clientCert, clientKey, caCert);
  }

  private static List<String> ecKey() {
    return List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256");
  }

  private void ca(String name, String cn) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("openssl", "req", "-x509"));
    cmd.addAll(ecKey());
    cmd.addAll(
        List.of(
            "-nodes",
            "-keyout",
            name + ".key",
            "-out",
            name + ".pem",
            "-days",
            "3",
            "-subj",
            "/CN=" + cn));
    run(cmd);
  }

  private void leaf(String name, String ca, String cn, List<String> keyArgs)
      throws IOException, InterruptedException {
    List<String> req = new ArrayList<>(List.of("openssl", "req"));
    req.addAll(keyArgs);
    req.addAll(
        List.of("-nodes", "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + cn));
    run(req);
    run(
        List.of(
            "openssl",
            "x509",
            "-req",
            "-in",
            name + ".csr",
            "-CA",
            ca + ".pem",
            "-CAkey",
            ca + ".key",
            "-CAcreateserial",
            "-out",
            name + ".pem",
            "-days",
            "2",
            "-extfile",
            "leaf.ext"));
  }

  /** Runs openssl in the cert folder; fails with its output when it exits non-zero. */
  void run(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed: " + out);
    }
  }
}
