package io.dbjobs.common.net;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;

/**
 * A peer's address, checked: a host name (RFC 1123: dot-separated labels of letters, digits and
 * inner hyphens, at most 63 characters each and 253 in all), an IPv4 address in dotted-quad form,
 * or an IPv6 address; and a port from 1 to 65535. Nothing else gets in: no quotes, spaces, option
 * dashes, percent-encoded scopes, or the short IPv4 forms ({@code 127.1}, {@code 0x7f.0.0.1}) that
 * resolvers read differently. Every place that names a peer (the {@code primary} to replicate from,
 * a node's database host) goes through here before it reaches SQL or a connection.
 *
 * @param host a host name or IPv4 address as given, or an IPv6 address without brackets
 */
public record HostPort(String host, int port) {
  private static final int MAX_NAME = 253;
  private static final int MAX_LABEL = 63;

  public HostPort {
    String problem = problemWithHost(host);
    if (problem == null) {
      problem = problemWithPort(port);
    }
    if (problem != null) {
      throw new DbJobsException(ErrorCode.BAD_PARAMETER, problem);
    }
  }

  /**
   * Parses {@code host:port}, {@code 1.2.3.4:port} or {@code [v6]:port}.
   *
   * @throws DbJobsException BAD_PARAMETER saying what is wrong with {@code text}
   */
  public static HostPort parse(String text) {
    String problem = problemWith(text);
    if (problem != null) {
      throw new DbJobsException(ErrorCode.BAD_PARAMETER, problem);
    }
    return split(text);
  }

  /** What is wrong with {@code text} as {@code host:port}, or null when it is one. */
  public static String problemWith(String text) {
    if (text == null || text.isEmpty()) {
      return "an address must be host:port, not empty";
    }
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      return "'" + printable(text) + "' is not host:port (IPv6 goes in brackets: [::1]:3306)";
    }
    String hostPart = text.substring(0, colon);
    if (hostPart.startsWith("[") != hostPart.endsWith("]")) {
      return "'" + printable(text) + "' has an unbalanced bracket; write IPv6 as [::1]:3306";
    }
    boolean bracketed = hostPart.startsWith("[");
    String host = bracketed ? hostPart.substring(1, hostPart.length() - 1) : hostPart;
    if (!bracketed && host.contains(":")) {
      return "'"
          + printable(text)
          + "' is not host:port; write an IPv6 address in brackets: [::1]:3306";
    }
    if (bracketed && !host.contains(":")) {
      return "'" + printable(text) + "' has brackets around something that is not an IPv6 address";
    }
    String portText = text.substring(colon + 1);
    if (!portText.matches("[0-9]{1,5}")) {
      return "'" + printable(text) + "' has port '" + printable(portText) + "', not a number";
    }
    String problem = problemWithHost(host);
    return problem != null ? problem : problemWithPort(Integer.parseInt(portText));
  }

  /**
   * What is wrong with {@code host} as a host name, IPv4 or (unbracketed) IPv6 address, or null
   * when it is one.
   */
  public static String problemWithHost(String host) {
    if (host == null || host.isEmpty()) {
      return "a host must not be empty";
    }
    if (host.contains(":")) {
      return Ipv6.isValid(host)
          ? null
          : "'" + printable(host) + "' is not an IPv6 address (no zone ids, e.g. fe80::1%eth0)";
    }
    if (host.length() > MAX_NAME) {
      return "host name '" + printable(host) + "' is longer than " + MAX_NAME + " characters";
    }
    String[] labels = host.split("\\.", -1);
    for (String label : labels) {
      if (!isLabel(label)) {
        return "'"
            + printable(host)
            + "' is not a host name or IPv4 address (RFC 1123: labels of letters, digits and"
            + " inner hyphens, 1 to 63 characters, separated by single dots)";
      }
    }
    // a numeric last label never ends a host name: it must be a full dotted-quad IPv4 address
    if (labels[labels.length - 1].chars().allMatch(Character::isDigit) && !isIpv4(labels)) {
      return "'"
          + printable(host)
          + "' is not an IPv4 address (four numbers 0 to 255 without leading zeros, e.g."
          + " 10.0.0.1)";
    }
    return null;
  }

  /** What is wrong with {@code port}, or null when it is within 1..65535. */
  public static String problemWithPort(int port) {
    return port < 1 || port > 65535 ? "port " + port + " is not between 1 and 65535" : null;
  }

  /** True for an IPv6 address (written in brackets in {@link #toString()}). */
  public boolean isIpv6() {
    return host.contains(":");
  }

  /** {@code host:port}, or {@code [v6]:port}: parses back with {@link #parse}. */
  @Override
  public String toString() {
    return (isIpv6() ? "[" + host + "]" : host) + ":" + port;
  }

  private static HostPort split(String text) {
    int colon = text.lastIndexOf(':');
    String hostPart = text.substring(0, colon);
    String host =
        hostPart.startsWith("[") ? hostPart.substring(1, hostPart.length() - 1) : hostPart;
    return new HostPort(host, Integer.parseInt(text.substring(colon + 1)));
  }

  private static boolean isLabel(String label) {
    int n = label.length();
    if (n == 0 || n > MAX_LABEL) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = label.charAt(i);
      boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!alnum && !(c == '-' && i > 0 && i < n - 1)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isIpv4(String[] labels) {
    if (labels.length != 4) {
      return false;
    }
    for (String l : labels) {
      if (l.length() > 3 || !l.chars().allMatch(Character::isDigit)) {
        return false;
      }
      if (l.length() > 1 && l.charAt(0) == '0') {
        return false;
      }
      if (Integer.parseInt(l) > 255) {
        return false;
      }
    }
    return true;
  }

  /** Control characters and non-ASCII shown as {@code \\uXXXX}, for messages. */
  static String printable(String s) {
    StringBuilder sb = new StringBuilder();
    int limit = Math.min(s.length(), 300);
    for (int i = 0; i < limit; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return s.length() > limit ? sb + "..." : sb.toString();
  }

  /** A strict IPv6 text parser: 8 groups of 1-4 hex digits, one {@code ::}, optional IPv4 tail. */
  private static final class Ipv6 {
    static boolean isValid(String s) {
      if (s.length() > 45 || s.chars().anyMatch(c -> !isHexDigit(c) && c != ':' && c != '.')) {
        return false;
      }
      int dbl = s.indexOf("::");
      if (dbl >= 0 && s.indexOf("::", dbl + 1) >= 0) {
        return false;
      }
      if (dbl < 0) {
        return groups(s, false) == 8;
      }
      String head = s.substring(0, dbl);
      String tail = s.substring(dbl + 2);
      int h = head.isEmpty() ? 0 : groups(head, true);
      int t = tail.isEmpty() ? 0 : groups(tail, false);
      return h >= 0 && t >= 0 && h + t <= 7;
    }

    /**
     * Counts 16-bit groups in {@code part} (an IPv4 tail counts 2), or -1 when malformed. An IPv4
     * tail is only allowed at the end of the address ({@code head} parts have none).
     */
    private static int groups(String part, boolean head) {
      String[] g = part.split(":", -1);
      int count = 0;
      for (int i = 0; i < g.length; i++) {
        String x = g[i];
        if (x.contains(".")) {
          if (head || i != g.length - 1 || !isIpv4(x.split("\\.", -1))) {
            return -1;
          }
          count += 2;
        } else if (x.isEmpty() || x.length() > 4 || !x.chars().allMatch(Ipv6::isHexDigit)) {
          return -1;
        } else {
          count++;
        }
      }
      return count;
    }

    private static boolean isHexDigit(int c) {
      return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
  }
}
