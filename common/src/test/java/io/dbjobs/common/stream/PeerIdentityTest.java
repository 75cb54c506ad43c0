package io.dbjobs.common.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.testkit.TestPki;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeerIdentityTest {
  @TempDir static Path dir;
  static TestPki pki;

  @BeforeAll
  static void makeCertificates() {
    pki = TestPki.generate(dir);
  }

  @Test
  void matchesANodeNameInADnsSanIgnoringCase() throws Exception {
    X509Certificate db2 = cert(pki.node("db2"));
    X509Certificate fqdn = cert(pki.custom("fqdn", "x", "DNS:DB2.Example.ORG"));

    assertThat(PeerIdentity.of("db2").matches(db2)).isTrue();
    assertThat(PeerIdentity.of("DB2").matches(db2)).isTrue();
    assertThat(PeerIdentity.of("db2.example.org").matches(fqdn)).isTrue();
    assertThat(PeerIdentity.of("db2.example.org.").matches(fqdn)).isTrue();
    assertThat(PeerIdentity.of("db3").matches(db2)).isFalse();
    assertThat(PeerIdentity.of("db2.example").matches(fqdn)).isFalse();
  }

  @Test
  void matchesAnyOfItsNames() throws Exception {
    X509Certificate db2 = cert(pki.node("db2"));

    assertThat(PeerIdentity.of("db9", "10.0.0.2", "db2").matches(db2)).isTrue();
    assertThat(PeerIdentity.of("db9", "10.0.0.2").matches(db2)).isFalse();
  }

  @Test
  void matchesAnIpAddressOnlyInAnIpSan() throws Exception {
    X509Certificate ip = cert(pki.custom("by-ip", "x", "IP:10.0.0.12,IP:::1"));
    X509Certificate spelled = cert(pki.custom("ip-as-dns", "x", "DNS:10.0.0.12"));

    assertThat(PeerIdentity.of("10.0.0.12").matches(ip)).isTrue();
    assertThat(PeerIdentity.of("0:0:0:0:0:0:0:1").matches(ip)).isTrue();
    assertThat(PeerIdentity.of("[::1]").matches(ip)).isTrue();
    assertThat(PeerIdentity.of("10.0.0.13").matches(ip)).isFalse();
    assertThat(PeerIdentity.of("10.0.0.12").matches(spelled))
        .as("an IP address spelled as a DNS name")
        .isFalse();
  }

  @Test
  void neverFallsBackToTheCommonName() throws Exception {
    X509Certificate cnOnly = cert(pki.custom("cn-only", "db2", null));
    X509Certificate otherSan = cert(pki.custom("cn-db2-san-db3", "db2", "DNS:db3"));

    assertThat(PeerIdentity.of("db2").matches(cnOnly)).isFalse();
    assertThat(PeerIdentity.of("db2").matches(otherSan)).isFalse();
    assertThat(PeerIdentity.namesIn(cnOnly))
        .isEqualTo("no DNS or IP subject alternative name (subject CN=db2)");
  }

  @Test
  void aWildcardSanNamesNobody() throws Exception {
    X509Certificate wild = cert(pki.custom("wild", "x", "DNS:*.example.org"));

    assertThat(PeerIdentity.of("db2.example.org").matches(wild)).isFalse();
    assertThatThrownBy(() -> PeerIdentity.of("*.example.org"))
        .satisfies(e -> assertThat(((DbJobsException) e).code()).isEqualTo(ErrorCode.BAD_PARAMETER))
        .hasMessageContaining("is neither a DNS name");
  }

  @Test
  void anyAcceptsEveryCertificateOfTheCa() throws Exception {
    assertThat(PeerIdentity.ANY.matches(cert(pki.custom("cn-only", "db2", null)))).isTrue();
    assertThat(PeerIdentity.ANY.isAny()).isTrue();
    assertThat(PeerIdentity.ANY.describe()).isEqualTo("any certificate of the CA");
    assertThat(PeerIdentity.of("db2").isAny()).isFalse();
  }

  @Test
  void noCertificateMatchesNoNamedIdentity() {
    assertThat(PeerIdentity.of("db2").matches(null)).isFalse();
  }

  @Test
  void refusesNamesThatAreNeitherDnsNamesNorAddresses() {
    for (String bad : new String[] {"", " ", "db 2", "-db2", "db2..example", "db2/x", "a:b:c"}) {
      assertThatThrownBy(() -> PeerIdentity.of(bad))
          .as("'%s'", bad)
          .satisfies(
              e -> assertThat(((DbJobsException) e).code()).isEqualTo(ErrorCode.BAD_PARAMETER));
    }
    assertThatThrownBy(() -> PeerIdentity.of())
        .hasMessageContaining("needs at least one name")
        .hasMessageContaining("PeerIdentity.ANY");
  }

  @Test
  void describesTheNamesOfBothSides() throws Exception {
    X509Certificate localhost = cert(new TestPki.Leaf(pki.cert("receiver"), pki.key("receiver")));

    assertThat(PeerIdentity.of("db2", "10.0.0.2").describe()).isEqualTo("db2 or 10.0.0.2");
    assertThat(PeerIdentity.namesIn(localhost)).isEqualTo("DNS:localhost, IP:127.0.0.1");
    assertThat(PeerIdentity.of("db2", "DB2")).isEqualTo(PeerIdentity.of("db2"));
  }

  private static X509Certificate cert(TestPki.Leaf leaf) throws Exception {
    try (InputStream in = Files.newInputStream(leaf.cert())) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }
}
