package io.dbjobs.manager.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackupIdTest {
  @Test
  void idsNameTimeNodeAndTypeAndSortByTime() {
    Instant t = Instant.parse("2026-11-23T05:01:02.789Z");
    String id = BackupId.of(t, "db-2.eu", BackupType.PHYSICAL);
    assertThat(id).isEqualTo("20261123T050102Z-db-2.eu-physical");
    assertThat(BackupId.isId(id)).isTrue();
    assertThat(BackupId.time(id)).isEqualTo(Instant.parse("2026-11-23T05:01:02Z"));
    List<String> ids =
        new ArrayList<>(
            List.of(
                BackupId.of(t.plusSeconds(86_400), "a", BackupType.LOGICAL),
                BackupId.of(t, "z", BackupType.PHYSICAL),
                BackupId.of(t.plusSeconds(1), "m", BackupType.PHYSICAL)));
    ids.sort(null);
    assertThat(ids)
        .containsExactly(
            "20261123T050102Z-z-physical",
            "20261123T050103Z-m-physical",
            "20261124T050102Z-a-logical");
  }

  @Test
  void otherFolderNamesAreNotIds() {
    assertThat(BackupId.isId("logs")).isFalse();
    assertThat(BackupId.isId("20261323T050102Z-db2-physical")).isFalse();
    assertThat(BackupId.isId("20261123T050102Z-db2-incremental")).isFalse();
    assertThat(BackupId.isId(".20261123T050102Z-db2-physical")).isFalse();
  }
}
