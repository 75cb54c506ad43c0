package io.dbjobs.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.common.job.JobState;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.stream.FileSink;
import io.dbjobs.common.stream.ReceiveResult;
import io.dbjobs.testkit.ConfigFiles;
import io.dbjobs.testkit.MariaDbCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Throughput of backup-physical and backup-logical through the agent (tool, scanner, zstd, stream,
 * receiver, FileSink with fsync, all on this machine) against the same tool writing to a file, and
 * the dump piped to gzip. Logged with the prefix THROUGHPUT; asserts only that the agent is not
 * slower than the gzip pipeline. The data size is {@code 2^dbjobs.it.fillerDoublings} rows of some
 * 250 bytes (default 17: about 30 MB of table data; 20 for a measurement worth quoting).
 */
class BackupThroughputIT {
  private static final Logger LOG = LoggerFactory.getLogger(BackupThroughputIT.class);
  private static final Duration WAIT = Duration.ofMinutes(6);
  private static MariaDbCluster cluster;
  private static final int REPEAT = Integer.getInteger("dbjobs.it.repeat", 1);
  private static AgentFixture node;
  @TempDir static Path dir;

  @BeforeAll
  static void startServer() throws Exception {
    cluster = MariaDbCluster.start("bkspeed", 1);
    TestData.filler(cluster.primary(), "shop", Integer.getInteger("dbjobs.it.fillerDoublings", 17));
    node = new AgentFixture(cluster.primary(), Files.createDirectories(dir.resolve("n")));
  }

  @AfterAll
  static void stopServer() {
    if (node != null) {
      node.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private Agent agent;

  @AfterEach
  void stopAgent() {
    if (agent != null) {
      agent.stop("test over");
    }
  }

  /**
   * One small write every 100 ms while a measurement runs, as on any live server: mariadb-backup
   * then waits for its redo log copy thread (it polls every second) like it does in production, for
   * the agent's run (whose heartbeats write too) and the plain tool's alike.
   */
  private static AutoCloseable ticking() {
    cluster
        .primary()
        .execute("CREATE TABLE IF NOT EXISTS shop.tick (id INT PRIMARY KEY, n BIGINT)");
    java.util.concurrent.ScheduledExecutorService ex =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    ex.scheduleWithFixedDelay(
        () ->
            cluster.primary().execute("REPLACE INTO shop.tick VALUES (1, UNIX_TIMESTAMP(NOW(6)))"),
        0,
        100,
        java.util.concurrent.TimeUnit.MILLISECONDS);
    return ex::shutdownNow;
  }

  private ReceiveResult viaAgent(Task task, Path file, Map<String, String> params)
      throws InterruptedException {
    try (TestReceiver receiver = new TestReceiver()) {
      TestReceiver.Incoming in = receiver.expect(FileSink.to(file));
      long id = node.jobs.insert(receiver.job(task, in, params)).id();
      ReceiveResult got = in.await(WAIT);
      node.await(id, JobState.SUCCEEDED, WAIT);
      return got;
    }
  }

  @Test
  void physical() throws Exception {
    agent = node.startAgent("");
    Path cnf = ConfigFiles.adminDefaults(dir, cluster.primary());
    Path plain = dir.resolve("plain.xb");
    Path tmp = Files.createDirectories(dir.resolve("plain-tmp"));
    String tool =
        "/usr/bin/mariadb-backup --defaults-file="
            + cnf
            + " --backup --stream=xbstream --target-dir="
            + tmp
            + " --parallel=1 2>/dev/null";
    TestData.timed(600, tool + " > /dev/null"); // warm the page cache for both
    double plainSeconds = Double.MAX_VALUE;
    ReceiveResult got = null;
    AutoCloseable ticker = ticking();
    try {
      for (int i = 0; i < REPEAT; i++) {
        Files.deleteIfExists(plain);
        plainSeconds =
            Math.min(plainSeconds, TestData.timed(600, tool + " > " + plain + " && sync " + plain));
        got =
            fastest(
                got, viaAgent(Task.BACKUP_PHYSICAL, dir.resolve("agent" + i + ".xb"), Map.of()));
      }
    } finally {
      ticker.close();
    }
    double agentSeconds = seconds(got);
    LOG.info(
        "THROUGHPUT backup-physical: agent {} MB in {} s = {} MB/s; mariadb-backup > file (+sync)"
            + " {} MB in {} s = {} MB/s",
        f(got.bytes() / 1e6),
        f(agentSeconds),
        f(got.bytes() / 1e6 / agentSeconds),
        f(Files.size(plain) / 1e6),
        f(plainSeconds),
        f(Files.size(plain) / 1e6 / plainSeconds));
    assertThat(got.bytes()).isPositive();
  }

  @Test
  void logical() throws Exception {
    agent = node.startAgent("");
    Path cnf = ConfigFiles.adminDefaults(dir, cluster.primary());
    String dump =
        "/usr/bin/mariadb-dump --defaults-file="
            + cnf
            + " --single-transaction --routines --triggers --events --hex-blob --master-data=2"
            + " --gtid --databases shop";
    Path plain = dir.resolve("plain.sql");
    TestData.timed(600, dump + " > /dev/null");
    double plainSeconds = Double.MAX_VALUE;
    double gzipSeconds = Double.MAX_VALUE;
    ReceiveResult got = null;
    for (int i = 0; i < REPEAT; i++) {
      plainSeconds =
          Math.min(plainSeconds, TestData.timed(600, dump + " > " + plain + " && sync " + plain));
      gzipSeconds =
          Math.min(
              gzipSeconds,
              TestData.timed(600, dump + " | gzip > " + plain + ".gz && sync " + plain + ".gz"));
      got =
          fastest(
              got,
              viaAgent(
                  Task.BACKUP_LOGICAL,
                  dir.resolve("agent" + i + ".sql.zst"),
                  Map.of("databases", "shop", "format", "sql")));
    }
    double agentSeconds = seconds(got);
    double mb = Files.size(plain) / 1e6;
    LOG.info(
        "THROUGHPUT backup-logical ({} MB dump): agent + zstd {} s = {} MB/s ({} MB sent);"
            + " mariadb-dump > file {} s = {} MB/s; mariadb-dump | gzip {} s = {} MB/s ({} MB);"
            + " agent vs gzip: {}x",
        f(mb),
        f(agentSeconds),
        f(mb / agentSeconds),
        f(got.bytes() / 1e6),
        f(plainSeconds),
        f(mb / plainSeconds),
        f(gzipSeconds),
        f(mb / gzipSeconds),
        f(Files.size(Path.of(plain + ".gz")) / 1e6),
        f(gzipSeconds / agentSeconds));
    assertThat(agentSeconds).isLessThan(gzipSeconds);
  }

  private static ReceiveResult fastest(ReceiveResult a, ReceiveResult b) {
    return a == null || b.elapsed().compareTo(a.elapsed()) < 0 ? b : a;
  }

  private static double seconds(ReceiveResult r) {
    return r.elapsed().toNanos() / 1e9;
  }

  private static String f(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }
}
