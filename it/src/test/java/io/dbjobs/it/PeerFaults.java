package io.dbjobs.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.FidelityData;
import io.dbjobs.testkit.MariaDbCluster;
import io.dbjobs.testkit.TableChecksums;
import io.dbjobs.testkit.Waits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * What the peer-fault tests check on a joiner after a reseed failed: it still serves its old data
 * (a marker only it has, and its tables as before), and nothing of the attempt is left (no staging
 * folder, no parts on disk, no set-aside schema, no journal).
 */
final class PeerFaults {
  static final String MARK = "peer_fault_mark";

  private PeerFaults() {}

  /** Writes a marker only {@code joiner} has (binary log off) and returns its value. */
  static String mark(DbServer joiner) {
    String v = "old-" + UUID.randomUUID();
    joiner.execute(
        "SET SESSION sql_log_bin=0",
        "CREATE DATABASE IF NOT EXISTS " + MARK,
        "CREATE TABLE IF NOT EXISTS " + MARK + ".m (v VARCHAR(64) PRIMARY KEY)",
        "DELETE FROM " + MARK + ".m",
        "INSERT INTO " + MARK + ".m VALUES ('" + v + "')");
    return v;
  }

  /** The marker {@code joiner} serves now, or null when its schema is gone (new data). */
  static String markOf(DbServer joiner) {
    List<String> schemas =
        joiner.column(
            "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME='" + MARK + "'");
    return schemas.isEmpty() ? null : joiner.value("SELECT v FROM " + MARK + ".m");
  }

  /** The largest job id in {@code node}'s table. */
  static long maxId(DbServer node) {
    return Long.parseLong(node.value("SELECT COALESCE(MAX(id), 0) FROM " + TableAttacker.JOBS));
  }

  /**
   * Waits for the first row of {@code node} matching {@code where}; fails at once with the CLI's
   * output when {@code run} ended first.
   */
  static Map<String, String> awaitRow(
      DbServer node, String where, Duration timeout, CompletableFuture<?> run) {
    return Waits.until(
        "a job of " + node.name() + " where " + where,
        timeout,
        () -> {
          if (run != null && run.isDone()) {
            throw new AssertionError("the reseed ended before " + where + ": " + run.join());
          }
          List<String> ids =
              node.column(
                  "SELECT id FROM " + TableAttacker.JOBS + " WHERE " + where + " ORDER BY id");
          return ids.isEmpty() ? null : JobRows.row(node, Long.parseLong(ids.get(0)));
        },
        r -> r != null);
  }

  /** The latest row of {@code task} on {@code node} with an id above {@code after}. */
  static Map<String, String> lastRow(DbServer node, String task, long after) {
    List<String> ids =
        node.column(
            "SELECT id FROM "
                + TableAttacker.JOBS
                + " WHERE id > "
                + after
                + " AND task='"
                + task
                + "' ORDER BY id DESC LIMIT 1");
    assertThat(ids).as("a %s job on %s after id %s", task, node.name(), after).isNotEmpty();
    return JobRows.row(node, Long.parseLong(ids.get(0)));
  }

  /** The donor's newest backup job after id {@code after}, once it ended. */
  static Map<String, String> awaitDonorJobEnd(DbServer donor, long after, Duration wait) {
    return JobRows.awaitEnd(
        donor, Long.parseLong(lastRow(donor, "backup-physical", after).get("id")), wait);
  }

  /**
   * Asserts {@code joiner} serves its old data: the marker {@code mark}, {@code tablesBefore}
   * unchanged, and the server answering.
   */
  static void assertOldDataServes(DbServer joiner, String mark, Map<String, String> tablesBefore) {
    joiner.awaitAnswering(Duration.ofSeconds(60));
    assertThat(markOf(joiner))
        .as("the marker only %s's old data has", joiner.name())
        .isEqualTo(mark);
    assertThat(TableChecksums.of(joiner, FidelityData.SCHEMA)).isEqualTo(tablesBefore);
  }

  /** Asserts nothing of a failed attempt is left on {@code joiner} (agent workDir {@code work}). */
  static void assertNoLeftovers(DbServer joiner, Path work) {
    List<String> left = new ArrayList<>();
    Path parent = joiner.dataDir().toAbsolutePath().getParent();
    try (Stream<Path> s = Files.list(parent)) {
      s.map(p -> p.getFileName().toString())
          .filter(n -> n.contains(".dbjobs-new-"))
          .forEach(n -> left.add(parent.resolve(n).toString()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (Files.isDirectory(work)) {
      try (Stream<Path> s = Files.walk(work)) {
        s.filter(Files::isRegularFile)
            .filter(
                p ->
                    p.toString().contains("logical-staging")
                        || p.getFileName().toString().endsWith(".journal"))
            .forEach(p -> left.add(p.toString()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    left.addAll(
        joiner.column(
            "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE"
                + " '\\_dbjobs\\_old\\_%'"));
    assertThat(left).as("what a failed reseed of %s left", joiner.name()).isEmpty();
  }

  /** Asserts {@code joiner} serves the primary's data and replicates from it. */
  static void assertNewDataServes(MariaDbCluster cluster, DbServer primary, DbServer joiner) {
    cluster.awaitReplication(Duration.ofSeconds(120));
    assertThat(markOf(joiner)).as("the old marker on %s", joiner.name()).isNull();
    assertThat(TableChecksums.of(joiner)).isEqualTo(TableChecksums.of(primary));
    assertThat(MariaDbCluster.replicationStatus(joiner)).contains("io=Yes sql=Yes");
  }

  /** The processes in {@code pids} still alive, as "pid command" lines. */
  static List<String> alive(List<ProcessHandle> processes) {
    return processes.stream()
        .filter(ProcessHandle::isAlive)
        .map(p -> p.pid() + " " + p.info().commandLine().orElse("?"))
        .toList();
  }
}
