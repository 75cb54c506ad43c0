package io.dbjobs.common.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.common.config.ConfigProblems;
import io.dbjobs.common.config.ConfigTree;
import io.dbjobs.common.config.DatabaseEndpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DbTlsTest {
  @TempDir Path dir;

  private static DatabaseEndpoint read(String yaml, ConfigProblems problems, Path base) {
    ConfigTree t = ConfigTree.parse(yaml, "test.yml", problems, n -> null, base);
    return DatabaseEndpoint.read(t, "dbjobs_agent", false);
  }

  @Test
  void defaultsToPreferredAndNeverTurnsTlsOffByItself() {
    ConfigProblems p = new ConfigProblems();
    DatabaseEndpoint ep = read("host: 10.0.0.1\n", p, dir);
    assertThat(p.list()).isEmpty();
    assertThat(ep.tls()).isEqualTo(DbTls.PREFERRED);
    String url = DataSources.jdbcUrl(ep, Duration.ofSeconds(1));
    assertThat(url)
        .contains("sslMode=PREFERRED")
        .doesNotContain("useSSL")
        .doesNotContain("DISABLED");
  }

  @Test
  void requiredWithACaVerifiesTheServerAgainstItOnly() throws Exception {
    Path ca = Files.writeString(dir.resolve("ca.pem"), "not read until a connect");
    ConfigProblems p = new ConfigProblems();
    DatabaseEndpoint ep = read("tls: required\nca: {file: ca.pem}\n", p, dir);
    assertThat(p.list()).isEmpty();
    assertThat(ep.tls()).isEqualTo(new DbTls(DbTls.Mode.REQUIRED, ca));
    assertThat(DataSources.jdbcUrl(ep, Duration.ofSeconds(1)))
        .contains("sslMode=VERIFY_CA")
        .contains("trustCertificateKeyStoreUrl=file:" + ca)
        .contains("trustCertificateKeyStoreType=DBJOBS-PEM")
        .contains("fallbackToSystemTrustStore=false");
    assertThat(read("tls: required\n", p, dir).tls().sslMode()).isEqualTo("REQUIRED");
    assertThat(read("tls: off\n", p, dir).tls().sslMode()).isEqualTo("DISABLED");
  }

  @Test
  void namesEachProblemWithItsKey() {
    ConfigProblems p = new ConfigProblems();
    read("tls: maybe\n", p, dir);
    read("tls: preferred\nca: {file: /etc/ca.pem}\n", p, dir);
    read("tls: required\nca: {file: /no/such/ca.pem}\n", p, dir);
    read("tls: required\nca: {file: '/tmp/a b&c.pem'}\n", p, dir);
    read("host: \"db1' , MASTER_HOST='x\"\n", p, dir);
    assertThat(p.list())
        .anySatisfy(m -> assertThat(m).startsWith("tls: is 'maybe'; must be one of required"))
        .anySatisfy(m -> assertThat(m).startsWith("ca: verifies the server's certificate"))
        .anySatisfy(m -> assertThat(m).startsWith("ca: file /no/such/ca.pem does not exist"))
        .anySatisfy(m -> assertThat(m).contains("letters, digits and . _ / - only"))
        .anySatisfy(m -> assertThat(m).startsWith("host: ").contains("not a host name"));
  }
}
