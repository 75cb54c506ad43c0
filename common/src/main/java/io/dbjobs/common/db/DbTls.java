package io.dbjobs.common.db;

import io.dbjobs.common.config.ConfigTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * TLS of a JDBC connection to a database server: {@code tls: required|preferred|off} and, with
 * {@code required}, optionally {@code ca: {file: /path/ca.pem}} to verify the server's certificate
 * against that CA (PEM, read at every connect; see {@link PemTrustStore}).
 *
 * <ul>
 *   <li>{@code required}: encrypted or no connection (Connector/J {@code sslMode=REQUIRED}); with
 *       {@code ca}, the server's certificate must chain to it ({@code VERIFY_CA}), nothing else is
 *       trusted
 *   <li>{@code preferred} (default): encrypted when the server offers TLS, in the clear otherwise,
 *       certificate not checked ({@code PREFERRED})
 *   <li>{@code off}: never encrypted ({@code DISABLED})
 * </ul>
 *
 * @param ca null: no certificate check
 */
public record DbTls(Mode mode, Path ca) {
  /** The modes of the {@code tls} key. */
  public enum Mode {
    REQUIRED,
    PREFERRED,
    OFF;

    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The default: TLS when the server offers it. */
  public static final DbTls PREFERRED = new DbTls(Mode.PREFERRED, null);

  /** Characters a CA path may hold: it goes into a JDBC URL. */
  private static final Pattern SAFE_PATH = Pattern.compile("/[A-Za-z0-9._/-]+");

  public DbTls {
    if (mode == null) {
      throw new IllegalArgumentException("a TLS mode is required");
    }
    if (ca != null && mode != Mode.REQUIRED) {
      throw new IllegalArgumentException("a CA applies only with tls: required");
    }
    if (ca != null && !SAFE_PATH.matcher(ca.toString()).matches()) {
      throw new IllegalArgumentException(
          "the CA path " + ca + " must be absolute, of letters, digits and . _ / - only");
    }
  }

  /**
   * Reads {@code tls} and {@code ca} of {@code t} (a node's or cluster's database settings),
   * recording problems there.
   */
  public static DbTls read(ConfigTree t) {
    String m = t.string("tls", Mode.PREFERRED.key());
    // YAML 1.1 reads an unquoted off as the boolean false
    m = "false".equals(m) ? Mode.OFF.key() : m;
    List<String> allowed = List.of(Mode.REQUIRED.key(), Mode.PREFERRED.key(), Mode.OFF.key());
    if (!allowed.contains(m)) {
      t.problems()
          .add(t.keyOf("tls"), "is '" + m + "'; must be one of " + String.join(", ", allowed));
      m = Mode.PREFERRED.key();
    }
    Mode mode = Mode.valueOf(m.toUpperCase(Locale.ROOT));
    Path ca = t.fileReference("ca");
    if (ca == null) {
      return new DbTls(mode, null);
    }
    if (mode != Mode.REQUIRED) {
      t.problems()
          .add(
              t.keyOf("ca"),
              "verifies the server's certificate, which only tls: required does; set"
                  + " tls: required or remove ca");
      return new DbTls(mode, null);
    }
    if (!SAFE_PATH.matcher(ca.toString()).matches()) {
      t.problems()
          .add(
              t.keyOf("ca"),
              "is "
                  + ca
                  + "; give an absolute path of letters, digits and . _ / - only (it goes into a"
                  + " JDBC URL)");
      return new DbTls(mode, null);
    }
    if (!Files.isReadable(ca)) {
      t.problems().add(t.keyOf("ca"), "file " + ca + " does not exist or cannot be read");
      return new DbTls(mode, null);
    }
    return new DbTls(mode, ca);
  }

  /** Connector/J's {@code sslMode} for this setting. */
  public String sslMode() {
    return switch (mode) {
      case REQUIRED -> ca == null ? "REQUIRED" : "VERIFY_CA";
      case PREFERRED -> "PREFERRED";
      case OFF -> "DISABLED";
    };
  }

  /** The JDBC URL parameters, each starting with {@code &}. */
  String urlParameters() {
    StringBuilder sb = new StringBuilder("&sslMode=").append(sslMode());
    if (ca != null) {
      PemTrustStore.register();
      sb.append("&trustCertificateKeyStoreUrl=file:")
          .append(ca)
          .append("&trustCertificateKeyStoreType=")
          .append(PemTrustStore.TYPE)
          .append("&fallbackToSystemTrustStore=false")
          .append("&fallbackToSystemKeyStore=false");
    }
    return sb.toString();
  }

  /** {@code required (CA /path)}, {@code preferred}, {@code off}, for logs. */
  @Override
  public String toString() {
    return mode.key() + (ca == null ? "" : " (CA " + ca + ")");
  }
}
