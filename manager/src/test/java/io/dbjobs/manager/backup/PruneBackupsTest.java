package io.dbjobs.manager.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.manager.catalog.BackupCatalog;
import io.dbjobs.manager.catalog.BackupEntry;
import io.dbjobs.manager.catalog.BackupType;
import io.dbjobs.manager.catalog.Manifest;
import io.dbjobs.manager.catalog.RetentionPolicy;
import io.dbjobs.manager.catalog.Verification;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention applied to a catalog on disk, with an injected clock. */
class PruneBackupsTest {
  private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

  @TempDir Path dir;

  private static BackupEntry stored(BackupCatalog c, String node, BackupType type, Instant at)
      throws Exception {
    BackupCatalog.Reservation r = c.reserve("prod", node, type, at);
    Files.writeString(r.dir().resolve("backup.xbstream"), "x");
    return c.commit(
        r,
        new Manifest(
            Manifest.VERSION,
            r.id(),
            "prod",
            node,
            type.label(),
            "xbstream",
            "backup.xbstream",
            "none",
            1,
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
            null,
            "import",
            null,
            null,
            null,
            null,
            null,
            Map.of(),
            null,
            null));
  }

  @Test
  void deletesPerNodeAndTypeWhatRetentionDoesNotKeepAndAbandonedFolders() throws Exception {
    BackupCatalog c = new BackupCatalog(dir, Clock.fixed(NOW, ZoneOffset.UTC));
    for (int d = 0; d < 10; d++) {
      stored(c, "db1", BackupType.PHYSICAL, NOW.minus(Duration.ofDays(d)));
    }
    // db1's only logical backup and db2's only backup are old, and stay
    BackupEntry oldLogical = stored(c, "db1", BackupType.LOGICAL, NOW.minus(Duration.ofDays(400)));
    BackupEntry db2 = stored(c, "db2", BackupType.PHYSICAL, NOW.minus(Duration.ofDays(90)));
    BackupCatalog.Reservation abandoned =
        c.reserve("prod", "db1", BackupType.PHYSICAL, NOW.minus(Duration.ofDays(2)).plusSeconds(7));
    Files.setLastModifiedTime(abandoned.dir(), FileTime.from(NOW.minus(Duration.ofHours(3))));
    BackupCatalog.Reservation running =
        c.reserve("prod", "db1", BackupType.PHYSICAL, NOW.minusSeconds(30));
    Files.setLastModifiedTime(running.dir(), FileTime.from(NOW.minusSeconds(20)));

    PruneBackups prune =
        new PruneBackups(c, new RetentionPolicy(2, 3, 0), Clock.fixed(NOW, ZoneOffset.UTC));
    PruneBackups.Plan plan = prune.plan(null);
    assertThat(plan.abandoned()).extracting(BackupEntry::id).containsExactly(abandoned.id());
    assertThat(plan.inProgress()).extracting(BackupEntry::id).containsExactly(running.id());
    assertThat(plan.deletions()).hasSize(7);
    PruneBackups.Applied applied = prune.apply(plan);
    assertThat(applied.failures()).isEmpty();
    assertThat(c.list().stream().filter(BackupEntry::complete).map(BackupEntry::id))
        .containsExactlyInAnyOrder(
            "20261125T120000Z-db1-physical",
            "20261124T120000Z-db1-physical",
            "20261123T120000Z-db1-physical",
            oldLogical.id(),
            db2.id());
    assertThat(abandoned.dir()).doesNotExist();
    assertThat(running.dir()).exists();
  }

  @Test
  void aNodesOnlyGoodBackupSurvivesEvenAmongFailedOnes() throws Exception {
    BackupCatalog c = new BackupCatalog(dir, Clock.fixed(NOW, ZoneOffset.UTC));
    BackupEntry good = stored(c, "db1", BackupType.PHYSICAL, NOW.minus(Duration.ofDays(200)));
    for (int d = 0; d < 3; d++) {
      BackupEntry bad = stored(c, "db1", BackupType.PHYSICAL, NOW.minus(Duration.ofDays(d)));
      c.recordVerification(bad, new Verification(NOW, false, 1, "ff", List.of("SHA-256 differs")));
    }
    PruneBackups prune =
        new PruneBackups(c, new RetentionPolicy(1, 0, 0), Clock.fixed(NOW, ZoneOffset.UTC));
    prune.apply(prune.plan("prod", "db1", BackupType.PHYSICAL));
    assertThat(c.list()).extracting(BackupEntry::id).containsExactly(good.id());
  }
}
