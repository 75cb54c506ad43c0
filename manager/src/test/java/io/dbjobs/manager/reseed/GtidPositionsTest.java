package io.dbjobs.manager.reseed;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GtidPositionsTest {
  @Test
  void aMariadbBackupAtOrAfterTheOldestBinlogCanCatchUp() {
    assertThat(GtidPositions.mariadbMissing("0-1-500", "0-1-400")).isEmpty();
    assertThat(GtidPositions.mariadbMissing("0-1-400", "0-1-400")).isEmpty();
    assertThat(GtidPositions.mariadbMissing("0-1-500,1-2-9", "")).isEmpty();
  }

  @Test
  void aMariadbBackupOlderThanTheOldestBinlogIsTooOldPerDomain() {
    assertThat(GtidPositions.mariadbMissing("0-1-300,1-2-50", "0-1-400,1-2-10"))
        .containsExactly(
            "domain 0: the backup is at seq 300 but the primary's binlogs start after seq 400");
    assertThat(GtidPositions.mariadbMissing("0-1-300", "0-1-200,5-7-3"))
        .containsExactly(
            "domain 5: the backup is at seq 0 but the primary's binlogs start after seq 3");
  }

  @Test
  void aMariadbBackupAheadOfThePrimaryIsNoticed() {
    assertThat(GtidPositions.mariadbAhead("0-1-900", "0-1-800"))
        .containsExactly("domain 0: the backup is at seq 900, the primary only at 800");
    assertThat(GtidPositions.mariadbAhead("0-1-700,0-2-750", "0-1-800")).isEmpty();
  }

  @Test
  void mysqlNeedsEveryPurgedTransactionInTheBackup() {
    String uuid = "3E11FA47-71CA-11E1-9E33-C80AA9429562";
    assertThat(GtidPositions.mysqlMissing(uuid + ":1-100", uuid + ":1-40")).isEmpty();
    assertThat(GtidPositions.mysqlMissing(uuid + ":1-30:31-100", uuid.toLowerCase() + ":1-40"))
        .isEmpty();
    assertThat(GtidPositions.mysqlMissing(uuid + ":1-20", uuid + ":1-40"))
        .singleElement()
        .asString()
        .contains(":1-40 was purged");
    assertThat(GtidPositions.mysqlMissing("", "")).isEmpty();
  }
}
