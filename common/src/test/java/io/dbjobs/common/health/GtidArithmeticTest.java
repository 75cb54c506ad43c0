package io.dbjobs.common.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class GtidArithmeticTest {
  private static final String U = "3e11fa47-71ca-11e1-9e33-c80aa9429562";

  @Test
  void parsesMariaDbListsAndRejectsGarbageNamingThePart() {
    assertThat(MariaDbGtids.parse(" 0-1-100, 1-2-5 "))
        .containsExactly(new MariaDbGtids.Gtid(0, 1, 100), new MariaDbGtids.Gtid(1, 2, 5));
    assertThat(MariaDbGtids.parse("")).isEmpty();
    assertThatThrownBy(() -> MariaDbGtids.parse("0-1-100,abc")).hasMessageContaining("'abc'");
    assertThatThrownBy(() -> MariaDbGtids.parse("0-x-1")).hasMessageContaining("'0-x-1'");
  }

  @Test
  void aGtidThePrimaryKnowsFromTheSameServerIsNotErrant() {
    assertThat(MariaDbGtids.errant("0-1-100,0-3-40", "0-1-100", 3, "0-1-120,0-3-40", "")).isEmpty();
  }

  @Test
  void thePrimarysSlavePositionCountsAsKnown() {
    // a primary that replicated without log_slave_updates knows the old primary's GTIDs only there
    assertThat(MariaDbGtids.errant("0-1-100", "0-1-100", 3, "0-2-150", "0-1-100")).isEmpty();
  }

  @Test
  void errantGtidsAreListedOnceEach() {
    List<MariaDbGtids.Gtid> e =
        MariaDbGtids.errant("0-1-100,0-3-101,1-3-7", "0-1-100", 3, "0-1-150", "");
    assertThat(e).extracting(Object::toString).containsExactly("0-3-101", "1-3-7");
  }

  @Test
  void binlogsStartingAfterThePositionLeaveAGapPerDomain() {
    assertThat(MariaDbGtids.missingFromBinlogs("0-1-200,1-1-5", "0-1-150,1-1-9"))
        .containsExactly("domain 1: the node is at seq 5, the primary's binlogs begin after seq 9");
    assertThat(MariaDbGtids.missingFromBinlogs("0-1-200", "")).isEmpty();
    assertThat(MariaDbGtids.missingFromBinlogs("", "0-1-3")).hasSize(1);
  }

  @Test
  void mySqlSetsSubtractAndCount() {
    GtidSet a = GtidSet.parse(U + ":1-10:12-20,\n" + U.replace('3', '4') + ":5");
    GtidSet b = GtidSet.parse(U.toUpperCase() + ":3-15");
    GtidSet d = a.minus(b);
    assertThat(d.parts()).containsExactly(U + ":1-2:16-20", U.replace('3', '4') + ":5");
    assertThat(d.count()).isEqualTo(8);
    assertThat(GtidSet.parse(U + ":1-5").minus(GtidSet.parse(U + ":1-9")).isEmpty()).isTrue();
    assertThat(GtidSet.parse(U + ":1-5:3-9").toString()).isEqualTo(U + ":1-9");
  }

  @Test
  void mySqlGarbageIsRejected() {
    assertThatThrownBy(() -> GtidSet.parse(U + ":9-3")).hasMessageContaining("9-3");
    assertThatThrownBy(() -> GtidSet.parse("nouuid")).hasMessageContaining("nouuid");
  }

  @Test
  void replicationErrorsAreTransientOrNot() {
    assertThat(ReplicationErrors.sqlErrorIsTransient(1205)).isTrue();
    assertThat(ReplicationErrors.sqlErrorIsTransient(1032)).isFalse();
    assertThat(ReplicationErrors.sqlErrorIsTransient(1062)).isFalse();
    assertThat(ReplicationErrors.ioErrorIsTransient(2003)).isTrue();
    assertThat(ReplicationErrors.ioErrorIsTransient(1236)).isFalse();
  }

  @Test
  void threadStatesFromStatusColumns() {
    assertThat(ThreadState.of("Yes")).isEqualTo(ThreadState.RUNNING);
    assertThat(ThreadState.of("Connecting")).isEqualTo(ThreadState.CONNECTING);
    assertThat(ThreadState.of("Preparing")).isEqualTo(ThreadState.CONNECTING);
    assertThat(ThreadState.of("No")).isEqualTo(ThreadState.STOPPED);
    assertThat(ThreadState.of(null)).isEqualTo(ThreadState.STOPPED);
  }
}
