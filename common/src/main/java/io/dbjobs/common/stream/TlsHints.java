package io.dbjobs.common.stream;

import java.util.Locale;

/** Turns JDK TLS failures into what an operator should check. */
final class TlsHints {
  private TlsHints() {}

  /** A failure seen by the listener. */
  static String forListener(Throwable t) {
    String m = messages(t);
    if (containsAny(m, "empty client certificate", "null cert chain", "certificate_required")) {
      // a JDK client presents only a certificate issued by a CA the listener names
      return "the sender presented no certificate issued by this listener's CA, tls.ca ("
          + root(t)
          + ")";
    }
    if (containsAny(m, "pkix", "certification path", "signature check failed", "unknown_ca")) {
      return "the sender's certificate is not issued by this listener's CA, tls.ca ("
          + root(t)
          + ")";
    }
    if (containsAny(m, "bad_certificate", "certificate_unknown")) {
      return "the sender rejected this listener's certificate (" + root(t) + ")";
    }
    return root(t);
  }

  /** A failure seen by the sender. */
  static String forSender(Throwable t) {
    if (t instanceof io.netty.handler.ssl.NotSslRecordException) {
      return "the listener does not use TLS (enable TLS on both ends or neither)";
    }
    String m = messages(t);
    if (containsAny(m, "pkix", "certification path", "signature check failed")) {
      return "the listener's certificate is not issued by this side's CA, tls.ca (" + root(t) + ")";
    }
    if (containsAny(
        m, "bad_certificate", "certificate_unknown", "unknown_ca", "certificate_required")) {
      return "the listener rejected this sender's certificate: is it issued by the listener's CA? ("
          + root(t)
          + ")";
    }
    return root(t);
  }

  private static boolean containsAny(String haystack, String... needles) {
    for (String n : needles) {
      if (haystack.contains(n)) {
        return true;
      }
    }
    return false;
  }

  private static String messages(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      b.append(c.getMessage()).append(' ');
      if (c.getCause() == c) {
        break;
      }
    }
    return b.toString().toLowerCase(Locale.ROOT);
  }

  private static String root(Throwable t) {
    Throwable r = t;
    while (r.getCause() != null && r.getCause() != r) {
      r = r.getCause();
    }
    return r.getClass().getSimpleName() + ": " + r.getMessage();
  }
}
