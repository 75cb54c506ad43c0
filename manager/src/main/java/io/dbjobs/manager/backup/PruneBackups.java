package io.dbjobs.manager.backup;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.manager.catalog.BackupCatalog;
import io.dbjobs.manager.catalog.BackupEntry;
import io.dbjobs.manager.catalog.BackupType;
import io.dbjobs.manager.catalog.DurableFiles;
import io.dbjobs.manager.catalog.RetentionPolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies retention to the catalog: per node and type, complete backups outside the {@link
 * RetentionPolicy} are deleted (never a node's newest good one), and incomplete folders untouched
 * for {@link #ABANDONED_AFTER} (left by a manager that died mid-stream) are removed. Incomplete
 * folders touched more recently belong to a stream in progress and are left alone.
 */
public final class PruneBackups {
  private static final Logger LOG = LoggerFactory.getLogger(PruneBackups.class);

  /**
   * An incomplete backup folder untouched this long is abandoned. A backup being received touches
   * its folder at least every minute, even while its job waits in the queue.
   */
  public static final Duration ABANDONED_AFTER = Duration.ofHours(1);

  /**
   * What retention decided.
   *
   * @param decisions complete backups, grouped by node and type, newest first in each group
   * @param abandoned incomplete folders to remove
   * @param inProgress incomplete folders left alone (recently written)
   */
  public record Plan(
      List<RetentionPolicy.Decision> decisions,
      List<BackupEntry> abandoned,
      List<BackupEntry> inProgress) {

    /** The complete backups that go. */
    public List<RetentionPolicy.Decision> deletions() {
      return decisions.stream().filter(d -> !d.keep()).toList();
    }
  }

  /**
   * What pruning did.
   *
   * @param deleted backups and folders removed
   * @param failures what could not be removed, with why
   */
  public record Applied(Plan plan, List<BackupEntry> deleted, Map<String, String> failures) {}

  private final BackupCatalog catalog;
  private final RetentionPolicy policy;
  private final Clock clock;

  public PruneBackups(BackupCatalog catalog, RetentionPolicy policy, Clock clock) {
    this.catalog = catalog;
    this.policy = policy;
    this.clock = clock;
  }

  /** The plan for every node (or one node, by name, when {@code node} is not null). */
  public Plan plan(String node) {
    List<BackupEntry> all = catalog.list();
    if (node != null) {
      all = all.stream().filter(e -> e.node().equals(node)).toList();
    }
    return plan(all, true);
  }

  /** The plan for one node's backups of one type (no incomplete folders). */
  public Plan plan(String cluster, String node, BackupType type) {
    List<BackupEntry> mine =
        catalog.list(cluster, node).stream().filter(e -> e.type() == type).toList();
    return plan(mine, false);
  }

  private Plan plan(List<BackupEntry> entries, boolean withIncomplete) {
    Instant now = clock.instant();
    Map<String, List<BackupEntry>> groups = new LinkedHashMap<>();
    List<BackupEntry> abandoned = new ArrayList<>();
    List<BackupEntry> inProgress = new ArrayList<>();
    for (BackupEntry e : entries) {
      if (e.complete()) {
        groups
            .computeIfAbsent(e.cluster() + "/" + e.node() + "/" + e.type(), k -> new ArrayList<>())
            .add(e);
      } else if (withIncomplete) {
        if (e.lastModified().isBefore(now.minus(ABANDONED_AFTER))) {
          abandoned.add(e);
        } else {
          inProgress.add(e);
        }
      }
    }
    List<RetentionPolicy.Decision> decisions = new ArrayList<>();
    groups.values().forEach(g -> decisions.addAll(policy.decide(g, now)));
    return new Plan(decisions, abandoned, inProgress);
  }

  /** Carries out a plan: deletes what it says goes; one failure does not stop the others. */
  public Applied apply(Plan plan) {
    List<BackupEntry> deleted = new ArrayList<>();
    Map<String, String> failures = new LinkedHashMap<>();
    for (RetentionPolicy.Decision d : plan.deletions()) {
      try {
        catalog.delete(d.entry());
        LOG.info("retention deleted backup {}: {}", d.entry().id(), String.join(", ", d.reasons()));
        deleted.add(d.entry());
      } catch (DbJobsException e) {
        failures.put(d.entry().id(), e.getMessage());
      }
    }
    for (BackupEntry e : plan.abandoned()) {
      try {
        DurableFiles.deleteTree(e.dir());
        LOG.info("removed abandoned incomplete backup folder {}", e.dir());
        deleted.add(e);
      } catch (DbJobsException x) {
        failures.put(e.id(), x.getMessage());
      }
    }
    return new Applied(plan, deleted, failures);
  }
}
