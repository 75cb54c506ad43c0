package io.dbjobs.common.stream;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.netty.util.NetUtil;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Who the peer of a stream must be when TLS is on: the names its certificate must carry. A peer
 * certificate matches when one of its subject alternative names (SAN) is one of these names:
 *
 * <ul>
 *   <li>a DNS name (a node name such as {@code db2}, or a host name such as {@code
 *       db2.example.org}) matches a SAN dNSName entry, ignoring ASCII case and a trailing dot;
 *   <li>an IP address ({@code 10.0.0.12}, {@code ::1}) matches a SAN iPAddress entry with the same
 *       address bytes, never a dNSName that spells it.
 * </ul>
 *
 * <p>Nothing else is consulted: no fallback to the subject's common name (CN), no wildcard SANs
 * ({@code *.example.org} names nobody: a wildcard certificate held by one node would let it pass
 * for every node), and no DNS lookups. The CA check itself is {@link StreamTls}'s; this checks
 * which of the CA's certificates the peer holds. Without TLS there is no certificate and nothing is
 * checked (the job's secret still authenticates).
 *
 * <p>{@link #ANY} accepts any certificate the CA issued: the choice of callers that truly accept
 * every peer of the CA, spelled out at their call site.
 */
public final class PeerIdentity {
  /** Accepts any certificate issued by the configured CA (no name is checked). */
  public static final PeerIdentity ANY = new PeerIdentity(List.of(), Set.of(), List.of());

  private static final int SAN_DNS = 2;
  private static final int SAN_IP = 7;
  private static final Pattern DNS_NAME =
      Pattern.compile("(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})(\\.[A-Za-z0-9_-]{1,63})*");

  private final List<String> names;
  private final Set<String> dnsNames;
  private final List<byte[]> addresses;

  private PeerIdentity(List<String> names, Set<String> dnsNames, List<byte[]> addresses) {
    this.names = names;
    this.dnsNames = dnsNames;
    this.addresses = addresses;
  }

  /**
   * The peer whose certificate names one of {@code names}: a node name, and/or its configured host
   * name or IP address.
   *
   * @throws DbJobsException BAD_PARAMETER for no names, or a name that is neither a DNS name nor an
   *     IP address (wildcards included)
   */
  /**
   * The identity a sealed job names in its {@code peer_name} column: comma-separated names (a node
   * and its host, or the manager's receiver name); null when the job named none (then a TLS stream
   * is refused, and a plain one is authenticated by its secret alone).
   */
  public static PeerIdentity fromSealedNames(String commaSeparated) {
    if (commaSeparated == null || commaSeparated.isBlank()) {
      return null;
    }
    return of(
        java.util.Arrays.stream(commaSeparated.split(","))
            .map(String::strip)
            .filter(n -> !n.isEmpty())
            .toList());
  }

  public static PeerIdentity of(String... names) {
    return of(names == null ? List.of() : Arrays.asList(names));
  }

  /** See {@link #of(String...)}. */
  public static PeerIdentity of(Collection<String> names) {
    if (names == null || names.isEmpty()) {
      throw new DbJobsException(
          ErrorCode.BAD_PARAMETER,
          "a peer identity needs at least one name (node name, host or IP address); use"
              + " PeerIdentity.ANY to accept any certificate of the CA");
    }
    Set<String> shown = new LinkedHashSet<>();
    Set<String> dns = new LinkedHashSet<>();
    List<byte[]> ips = new ArrayList<>();
    for (String raw : names) {
      String name = raw == null ? "" : raw.strip();
      if (name.startsWith("[") && name.endsWith("]")) {
        name = name.substring(1, name.length() - 1);
      }
      byte[] ip = NetUtil.createByteArrayFromIpAddressString(name);
      if (ip != null && !name.contains("%")) {
        if (ips.stream().noneMatch(a -> Arrays.equals(a, ip))) {
          ips.add(ip);
          shown.add(name);
        }
        continue;
      }
      String dnsName = stripTrailingDot(name);
      if (!DNS_NAME.matcher(dnsName).matches()) {
        throw new DbJobsException(
            ErrorCode.BAD_PARAMETER,
            "peer identity name '"
                + WireCodec.printable(String.valueOf(raw))
                + "' is neither a DNS name (letters, digits, '-', '_' in dot-separated labels, no"
                + " wildcard) nor an IP address");
      }
      if (dns.add(dnsName.toLowerCase(Locale.ROOT))) {
        shown.add(dnsName);
      }
    }
    return new PeerIdentity(List.copyOf(shown), Set.copyOf(dns), List.copyOf(ips));
  }

  /** Whether this accepts any certificate of the CA. */
  public boolean isAny() {
    return names.isEmpty();
  }

  /** The acceptable names as given (empty for {@link #ANY}). */
  public List<String> names() {
    return names;
  }

  /**
   * Whether {@code cert} names this peer in its subject alternative names. {@link #ANY} matches
   * every certificate; a certificate without SANs matches no other identity.
   */
  public boolean matches(X509Certificate cert) {
    if (isAny()) {
      return true;
    }
    if (cert == null) {
      return false;
    }
    for (List<?> san : subjectAltNames(cert)) {
      if (san.size() < 2 || !(san.get(0) instanceof Integer type)) {
        continue;
      }
      Object value = san.get(1);
      if (type == SAN_DNS && value instanceof String s) {
        String name = stripTrailingDot(s).toLowerCase(Locale.ROOT);
        if (!name.contains("*") && dnsNames.contains(name)) {
          return true;
        }
      } else if (type == SAN_IP && value instanceof String s) {
        byte[] ip = NetUtil.createByteArrayFromIpAddressString(s);
        if (ip != null && addresses.stream().anyMatch(a -> Arrays.equals(a, ip))) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The names a certificate carries, for messages: {@code DNS:db3, IP:10.0.0.13}, or its subject
   * when it has no DNS or IP subject alternative name.
   */
  public static String namesIn(X509Certificate cert) {
    if (cert == null) {
      return "no certificate";
    }
    List<String> out = new ArrayList<>();
    for (List<?> san : subjectAltNames(cert)) {
      if (san.size() < 2 || !(san.get(0) instanceof Integer type)) {
        continue;
      }
      if (type == SAN_DNS) {
        out.add("DNS:" + WireCodec.printable(String.valueOf(san.get(1))));
      } else if (type == SAN_IP) {
        out.add("IP:" + WireCodec.printable(String.valueOf(san.get(1))));
      }
    }
    if (out.isEmpty()) {
      return "no DNS or IP subject alternative name (subject "
          + WireCodec.printable(cert.getSubjectX500Principal().getName())
          + ")";
    }
    return String.join(", ", out);
  }

  /** "db2 or 10.0.0.12", or "any certificate of the CA" for {@link #ANY}. */
  public String describe() {
    return isAny() ? "any certificate of the CA" : String.join(" or ", names);
  }

  private static List<List<?>> subjectAltNames(X509Certificate cert) {
    try {
      Collection<List<?>> sans = cert.getSubjectAlternativeNames();
      return sans == null ? List.of() : List.copyOf(sans);
    } catch (CertificateParsingException e) {
      // a certificate whose SAN extension does not parse names nobody
      return List.of();
    }
  }

  private static String stripTrailingDot(String s) {
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PeerIdentity p && p.dnsNames.equals(dnsNames) && sameAddresses(p);
  }

  private boolean sameAddresses(PeerIdentity p) {
    if (p.addresses.size() != addresses.size()) {
      return false;
    }
    for (byte[] a : addresses) {
      if (p.addresses.stream().noneMatch(b -> Arrays.equals(a, b))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int h = dnsNames.hashCode();
    for (byte[] a : addresses) {
      h += Arrays.hashCode(a);
    }
    return h;
  }

  @Override
  public String toString() {
    return isAny() ? "PeerIdentity[ANY]" : "PeerIdentity" + names;
  }
}
