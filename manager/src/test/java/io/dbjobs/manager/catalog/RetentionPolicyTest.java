package io.dbjobs.manager.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class RetentionPolicyTest {
  // a Wednesday
  private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

  static BackupEntry backup(Instant at, Verification v) {
    String id = BackupId.of(at, "db2", BackupType.PHYSICAL);
    Manifest m =
        new Manifest(
            Manifest.VERSION,
            id,
            "prod",
            "db2",
            "physical",
            "xbstream",
            "backup.xbstream",
            "none",
            10,
            "00",
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            "none",
            at,
            at,
            at,
            1L,
            "stream",
            null,
            null,
            null,
            null,
            null,
            Map.of(),
            null,
            null);
    return new BackupEntry("prod", "db2", id, Path.of("/catalog/prod/db2", id), m, v, at);
  }

  static BackupEntry backup(Instant at) {
    return backup(at, null);
  }

  private static Verification failed() {
    return new Verification(NOW, false, 10, "ff", List.of("SHA-256 differs"));
  }

  private static Map<String, List<String>> kept(List<RetentionPolicy.Decision> ds) {
    return ds.stream()
        .filter(RetentionPolicy.Decision::keep)
        .collect(Collectors.toMap(d -> d.entry().id(), RetentionPolicy.Decision::reasons));
  }

  @Test
  void keepsTheLastNPlusOnePerDayAndOnePerWeek() {
    List<BackupEntry> all = new ArrayList<>();
    // two backups a day for 60 days, at 01:00 and 13:00 UTC
    for (int d = 0; d < 60; d++) {
      Instant day = Instant.parse("2026-11-25T01:00:00Z").minus(Duration.ofDays(d));
      all.add(backup(day));
      all.add(backup(day.plus(Duration.ofHours(12))));
    }
    List<RetentionPolicy.Decision> ds = new RetentionPolicy(3, 7, 4).decide(all, NOW);
    assertThat(ds).hasSize(120);
    Map<String, List<String>> kept = kept(ds);
    // the 13:00 backup of today is in the future of NOW: it still counts among the last three
    assertThat(kept)
        .containsKeys(
            "20261125T130000Z-db2-physical",
            "20261125T010000Z-db2-physical",
            "20261124T130000Z-db2-physical");
    assertThat(kept.get("20261125T130000Z-db2-physical")).contains("newest good backup", "last 3");
    // one per day for 7 days (today..2026-11-19): the newest of each day
    for (String day : List.of("20261123", "20261122", "20261121", "20261120", "20261119")) {
      assertThat(kept.get(day + "T130000Z-db2-physical"))
          .contains(
              "daily " + day.substring(0, 4) + "-" + day.substring(4, 6) + "-" + day.substring(6));
      assertThat(kept).doesNotContainKey(day + "T010000Z-db2-physical");
    }
    assertThat(kept).doesNotContainKey("20261118T130000Z-db2-physical");
    // one per ISO week for 4 weeks: this week (Mon 11-23) and the three before; newest of each
    assertThat(kept.get("20261125T130000Z-db2-physical")).contains("weekly 2026-W48");
    assertThat(kept.get("20261122T130000Z-db2-physical")).contains("weekly 2026-W47");
    assertThat(kept.get("20261115T130000Z-db2-physical")).containsExactly("weekly 2026-W46");
    assertThat(kept.get("20261108T130000Z-db2-physical")).containsExactly("weekly 2026-W45");
    assertThat(kept).hasSize(3 + 5 + 2);
    assertThat(ds.stream().filter(d -> !d.keep()).findFirst().orElseThrow().reasons())
        .containsExactly("outside retention (last 3, 7 daily, 4 weekly)");
  }

  @Test
  void daysWithoutBackupsKeepNothingExtra() {
    List<BackupEntry> all =
        List.of(
            backup(Instant.parse("2026-11-25T02:00:00Z")),
            backup(Instant.parse("2026-11-10T02:00:00Z")),
            backup(Instant.parse("2026-11-09T02:00:00Z")));
    Map<String, List<String>> kept = kept(new RetentionPolicy(1, 7, 0).decide(all, NOW));
    assertThat(kept).containsOnlyKeys("20261125T020000Z-db2-physical");
  }

  @Test
  void neverDeletesTheOnlyGoodBackupEvenWhenNewerOnesFailedVerification() {
    BackupEntry good = backup(Instant.parse("2026-10-01T02:00:00Z"));
    BackupEntry bad1 = backup(Instant.parse("2026-11-24T02:00:00Z"), failed());
    BackupEntry bad2 = backup(Instant.parse("2026-11-25T02:00:00Z"), failed());
    List<RetentionPolicy.Decision> ds =
        new RetentionPolicy(1, 0, 0).decide(List.of(bad2, good, bad1), NOW);
    Map<String, List<String>> kept = kept(ds);
    assertThat(kept).containsOnlyKeys(good.id());
    assertThat(kept.get(good.id())).contains("newest good backup");
    assertThat(
            ds.stream().filter(d -> d.entry() == bad2).findFirst().orElseThrow().reasons().get(0))
        .startsWith("failed verification on");
  }

  @Test
  void aSingleOldBackupIsKeptWhateverItsAge() {
    BackupEntry only = backup(Instant.parse("2024-01-01T00:00:00Z"));
    List<RetentionPolicy.Decision> ds = new RetentionPolicy(1, 0, 0).decide(List.of(only), NOW);
    assertThat(ds).singleElement().satisfies(d -> assertThat(d.keep()).isTrue());
  }

  @Test
  void incompleteBackupsAreNotRetentionsBusiness() {
    BackupEntry done = backup(Instant.parse("2026-11-20T00:00:00Z"));
    BackupEntry partial =
        new BackupEntry(
            "prod", "db2", "20261125T000000Z-db2-physical", Path.of("/x"), null, null, NOW);
    assertThat(new RetentionPolicy(3, 7, 4).decide(List.of(partial, done), NOW))
        .extracting(d -> d.entry().id())
        .containsExactly(done.id());
  }
}
