package io.dbjobs.common.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackupPositionTest {
  @Test
  void acceptsBinlogCoordinatesLikeTheServerWritesThem() {
    BackupPosition p = BackupPosition.parseCoordinates("mysql-bin.000003:1234");
    assertThat(p.binlogFile()).isEqualTo("mysql-bin.000003");
    assertThat(p.binlogPos()).isEqualTo(1234L);
    assertThat(p.coordinates()).isEqualTo("mysql-bin.000003:1234");
    assertThat(BackupPosition.parseBinlogInfo("db1_bin.0000042\t4\t0-1-9").coordinates())
        .isEqualTo("db1_bin.0000042:4");
    assertThat(new BackupPosition("0-1-9", null, null).coordinates()).isNull();
  }

  @Test
  void refusesHostileFileNamesAndPositions() {
    for (String bad :
        List.of(
            "mysql-bin.000001', MASTER_HOST='evil:4",
            "../mysql-bin.000001:4",
            "/var/lib/mysql/mysql-bin.000001:4",
            "mysql-bin:4",
            "mysql-bin.01:4",
            "-bin.000001:4",
            "mysql bin.000001:4",
            "mysql-bin.000001:-5",
            "mysql-bin.000001:3",
            "mysql-bin.000001:12abc",
            "mysql-bin.000001:99999999999999999999",
            "mysql-bin.000001",
            "")) {
      assertThatThrownBy(() -> BackupPosition.parseCoordinates(bad))
          .as(bad)
          .isInstanceOf(DbJobsException.class)
          .satisfies(
              e -> assertThat(((DbJobsException) e).code()).isEqualTo(ErrorCode.BAD_PARAMETER));
    }
    assertThatThrownBy(() -> new BackupPosition(null, "x'.000001", 4L).coordinates())
        .isInstanceOf(DbJobsException.class);
  }
}
