package io.dbjobs.manager.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbjobs.common.config.Secret;
import io.dbjobs.manager.config.ClusterPolicy;
import io.dbjobs.manager.config.SchedulerConfig;
import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.MariaDbCluster;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator state of a clustered setup, in the scheduler store's database of a real server: what
 * one manager sets, another sees; it outlives both; a store without the table and without the right
 * to create it says how to create it.
 */
class JdbcOperatorStateIT {
  private static final String PASSWORD = "st-" + UUID.randomUUID();
  private static MariaDbCluster store;

  @BeforeAll
  static void start() {
    store = MariaDbCluster.start("os", 1);
    store
        .primary()
        .execute(
            "CREATE DATABASE dbjobs_scheduler",
            "CREATE USER 'dbjobs_scheduler'@'%' IDENTIFIED BY '" + PASSWORD + "'",
            "GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, INDEX, REFERENCES ON"
                + " dbjobs_scheduler.* TO 'dbjobs_scheduler'@'%'",
            "CREATE DATABASE weak_store",
            "CREATE USER 'weak'@'%' IDENTIFIED BY '" + PASSWORD + "'",
            "GRANT SELECT, INSERT, UPDATE, DELETE ON weak_store.* TO 'weak'@'%'");
  }

  @AfterAll
  static void stop() {
    if (store != null) {
      store.close();
    }
  }

  private static JdbcOperatorState manager(String user, String db, boolean create) {
    DbServer s = store.primary();
    return new JdbcOperatorState(
        new SchedulerConfig.JdbcStore(
            "jdbc:mysql://" + s.host() + ":" + s.port() + "/" + db,
            user,
            new Secret(PASSWORD, "test"),
            "auto",
            Duration.ofSeconds(7),
            create),
        Duration.ofSeconds(5),
        Clock.systemUTC());
  }

  @Test
  void whatOneManagerSetsEveryOtherSeesAndItOutlivesThem() {
    JdbcOperatorState a = manager("dbjobs_scheduler", "dbjobs_scheduler", true);
    JdbcOperatorState b = manager("dbjobs_scheduler", "dbjobs_scheduler", true);
    a.shun("db3", "disk 'replacement'", "ops@m1");
    b.setPolicy("prod", ClusterPolicy.MAINTENANCE, "upgrade", "ops@m2");
    assertThat(b.shuns().get("db3").reason()).isEqualTo("disk 'replacement'");
    assertThat(a.policies().get("prod").policy()).isEqualTo(ClusterPolicy.MAINTENANCE);
    assertThat(a.policies().get("prod").by()).isEqualTo("ops@m2");

    JdbcOperatorState later = manager("dbjobs_scheduler", "dbjobs_scheduler", true);
    assertThat(later.shuns()).containsOnlyKeys("db3");
    a.shun("db3", "still the disk", "ops@m1");
    assertThat(later.shuns().get("db3").reason()).isEqualTo("still the disk");
    assertThat(later.welcome("db3")).isTrue();
    assertThat(a.welcome("db3")).isFalse();
    assertThat(a.clearPolicy("prod")).isTrue();
    assertThat(b.policies()).isEmpty();
    assertThat(a.where())
        .contains("dbjobs_operator_state")
        .contains("dbjobs_scheduler@jdbc:mysql://");
  }

  @Test
  void aStoreWithoutTheTableNamesTheDdlToRun() {
    JdbcOperatorState weak = manager("weak", "weak_store", false);
    assertThatThrownBy(weak::shuns)
        .hasMessageContaining("cannot read the operator state")
        .hasMessageContaining("dbjobs serve --print-scheduler-ddl");
  }
}
