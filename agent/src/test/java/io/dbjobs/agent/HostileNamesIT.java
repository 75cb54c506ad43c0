package io.dbjobs.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.JobState;
import io.dbjobs.common.job.Task;
import io.dbjobs.common.job.TaskStreamParams;
import io.dbjobs.common.logical.DumpManifest;
import io.dbjobs.common.logical.PartHeader;
import io.dbjobs.common.logical.PartReader;
import io.dbjobs.common.logical.PartTrailer;
import io.dbjobs.common.logical.TableSummary;
import io.dbjobs.common.stream.FileSink;
import io.dbjobs.testkit.MariaDbCluster;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code --no-data} attack on backup-logical, replayed on a real server with the real
 * mariadb-dump ({@code format=sql}): a database named like an option is refused before any dump
 * runs (whether the agent finds it or a job names it), the databases that are named still dump with
 * their rows and after {@code --}, and a dump that lost its rows anyway fails as DUMP_INCOMPLETE
 * with nothing kept. The parallel engine ({@code format=parts}, the default) runs no tool: there
 * the same database is dumped as a name, with its row.
 */
class HostileNamesIT {
  private static final Duration WAIT = Duration.ofMinutes(2);
  private static final String ORDERS_DIGEST =
      "SELECT CONCAT(COUNT(*), ':', SUM(CRC32(CONCAT(id, note)))) FROM shop.orders";

  /**
   * The mariadb-dump engine: names go onto a command line, so they are refused when option-shaped.
   */
  private static final Map<String, String> SQL = Map.of(TaskStreamParams.FORMAT, "sql");

  private static MariaDbCluster cluster;
  private static AgentFixture node;
  @TempDir static Path dir;

  @BeforeAll
  static void startServer() throws Exception {
    cluster = MariaDbCluster.start("hostile", 1);
    cluster
        .primary()
        .execute(
            "CREATE DATABASE shop",
            "CREATE TABLE shop.orders (id INT PRIMARY KEY, note VARCHAR(100))",
            "INSERT INTO shop.orders VALUES (1, 'a'), (2, 'b')",
            "CREATE TABLE shop.`we``ird\nname` (id INT PRIMARY KEY)",
            "INSERT INTO shop.`we``ird\nname` VALUES (7)",
            "CREATE TABLE shop.empty (id INT PRIMARY KEY)",
            "CREATE DATABASE `--no-data`",
            "CREATE TABLE `--no-data`.t (id INT PRIMARY KEY)",
            "INSERT INTO `--no-data`.t VALUES (1)");
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
  private TestReceiver receiver;

  @AfterEach
  void stopAgent() {
    if (agent != null) {
      agent.stop("test over");
    }
    if (receiver != null) {
      receiver.close();
    }
  }

  /** mariadb-dump that records its command lines, one per line, then runs. */
  private static Path recordingDump(String name, Path argvFile, String extraFirstOption) {
    return TestData.script(
        dir.resolve(name + ".sh"),
        "if [ \"$1\" = --version ]; then exec /usr/bin/mariadb-dump --version; fi\n"
            + "printf '%s\\n' \"$*\" >> "
            + argvFile
            + "\nexec /usr/bin/mariadb-dump \"$1\" "
            + extraFirstOption
            + " \"${@:2}\"");
  }

  private static List<String> runs(Path argvFile) throws IOException {
    return Files.exists(argvFile) ? Files.readAllLines(argvFile) : List.of();
  }

  private Job backup(Map<String, String> params, Path target, JobState expected) throws Exception {
    receiver = new TestReceiver();
    TestReceiver.Incoming in = receiver.expect(FileSink.to(target));
    long id = node.jobs.insert(receiver.job(Task.BACKUP_LOGICAL, in, params)).id();
    Job done = node.await(id, expected, WAIT);
    if (expected == JobState.SUCCEEDED) {
      in.await(WAIT);
    } else {
      assertThat(target).doesNotExist();
      assertThat(FileSink.partialOf(target)).doesNotExist();
    }
    return done;
  }

  @Test
  void aDatabaseNamedLikeAnOptionIsRefusedBeforeAnyDumpRuns() throws Exception {
    Path argv = dir.resolve("argv-all.txt");
    agent = node.startAgent("tools:\n  mariadbDump: " + recordingDump("all", argv, "") + "\n");
    String before = cluster.primary().value(ORDERS_DIGEST);
    Job failed = backup(SQL, dir.resolve("all.sql.zst"), JobState.FAILED);
    assertThat(failed.errorCode()).isEqualTo("BAD_PARAMETER");
    assertThat(failed.result())
        .contains("the database '--no-data' on this node starts with '-'")
        .contains("'databases' parameter");
    assertThat(runs(argv)).isEmpty();
    assertThat(cluster.primary().value(ORDERS_DIGEST)).isEqualTo(before);
  }

  @Test
  void aJobNamingAnOptionShapedDatabaseIsRefused() throws Exception {
    Path argv = dir.resolve("argv-named.txt");
    agent = node.startAgent("tools:\n  mariadbDump: " + recordingDump("named", argv, "") + "\n");
    Job failed =
        backup(
            Map.of(TaskStreamParams.DATABASES, "shop,--no-data", TaskStreamParams.FORMAT, "sql"),
            dir.resolve("named.sql.zst"),
            JobState.FAILED);
    assertThat(failed.errorCode()).isEqualTo("BAD_PARAMETER");
    assertThat(failed.result()).contains("'--no-data'").contains("starts with '-'");
    assertThat(runs(argv)).isEmpty();
  }

  @Test
  void theNamedDatabasesDumpAfterTheEndOfOptionsWithTheirRows() throws Exception {
    Path argv = dir.resolve("argv-shop.txt");
    agent = node.startAgent("tools:\n  mariadbDump: " + recordingDump("shop", argv, "") + "\n");
    Path file = dir.resolve("shop.sql");
    Job done =
        backup(
            Map.of(
                TaskStreamParams.DATABASES,
                "shop",
                TaskStreamParams.CONTENT_COMPRESSION,
                "none",
                TaskStreamParams.FORMAT,
                "sql"),
            file,
            JobState.SUCCEEDED);
    assertThat(done.result()).contains("(shop) by mariadb-dump");
    assertThat(runs(argv)).singleElement().asString().endsWith(" --databases -- shop");
    String dump = Files.readString(file);
    assertThat(dump).contains("INSERT INTO `orders`").contains("INSERT INTO `we``ird\nname`");
  }

  @Test
  void aDumpThatLostItsRowsFailsAsIncompleteAndNothingIsKept() throws Exception {
    Path argv = dir.resolve("argv-nodata.txt");
    // what a --no-data slipped onto the command line does: a complete dump without a row
    agent =
        node.startAgent(
            "tools:\n  mariadbDump: " + recordingDump("nodata", argv, "--no-data") + "\n");
    receiver = new TestReceiver();
    Path target = dir.resolve("nodata.sql.zst");
    TestReceiver.Incoming in = receiver.expect(FileSink.to(target));
    long id =
        node.jobs
            .insert(
                receiver.job(
                    Task.BACKUP_LOGICAL,
                    in,
                    Map.of(TaskStreamParams.DATABASES, "shop", TaskStreamParams.FORMAT, "sql")))
            .id();
    Job failed = node.await(id, JobState.FAILED, WAIT);
    assertThat(failed.errorCode()).isEqualTo("DUMP_INCOMPLETE");
    assertThat(failed.result())
        .contains("carries no rows for 2 tables that had rows when the dump started")
        .contains("shop.orders")
        .contains("shop.we`ird\nname")
        .doesNotContain("shop.empty");
    DbJobsException onTheWire = in.failure(WAIT);
    assertThat(onTheWire.getMessage()).contains("carries no rows");
    assertThat(target).doesNotExist();
    assertThat(FileSink.partialOf(target)).doesNotExist();
    assertThat(runs(argv)).hasSize(1);
  }

  /**
   * The parallel engine reads through SQL with quoted identifiers and runs no tool, so an
   * option-shaped name is only a name: the database is dumped with its row, like any other.
   */
  @Test
  void theParallelEngineDumpsAnOptionShapedDatabaseAsAName() throws Exception {
    Path argv = dir.resolve("argv-parts.txt");
    agent = node.startAgent("tools:\n  mariadbDump: " + recordingDump("parts", argv, "") + "\n");
    Path file = dir.resolve("all.parts");
    Job done = backup(Map.of(), file, JobState.SUCCEEDED);
    assertThat(done.result()).contains("parallel logical backup");
    assertThat(runs(argv)).isEmpty();
    Map<String, Long> rows = new java.util.TreeMap<>();
    for (TableSummary t : manifestOf(file).tables()) {
      rows.put(t.schema() + "." + t.table(), t.rows());
    }
    assertThat(rows)
        .containsEntry("--no-data.t", 1L)
        .containsEntry("shop.orders", 2L)
        .containsEntry("shop.we`ird\nname", 1L)
        .containsEntry("shop.empty", 0L);
  }

  private static DumpManifest manifestOf(Path container) throws Exception {
    DumpManifest[] end = new DumpManifest[1];
    PartReader reader =
        new PartReader(
            new PartReader.Handler() {
              @Override
              public void open(PartHeader header) {}

              @Override
              public void data(PartHeader header, ByteBuffer compressed) {}

              @Override
              public void close(PartHeader header, PartTrailer trailer) {}

              @Override
              public void end(DumpManifest manifest) {
                end[0] = manifest;
              }
            });
    reader.feed(ByteBuffer.wrap(Files.readAllBytes(container)));
    reader.finish();
    assertThat(end[0]).as("the container's manifest").isNotNull();
    return end[0];
  }

  @Test
  void aReceiverThatIsNotAnAddressIsRefusedBeforeTheDumpRuns() throws Exception {
    Path argv = dir.resolve("argv-receiver.txt");
    agent = node.startAgent("tools:\n  mariadbDump: " + recordingDump("recv", argv, "") + "\n");
    long id =
        node.jobs
            .insert(
                new io.dbjobs.common.job.NewJob(
                    Task.BACKUP_LOGICAL,
                    Map.of(TaskStreamParams.STREAM_ID, "s1", TaskStreamParams.DATABASES, "shop"),
                    java.util.UUID.randomUUID().toString(),
                    "127.0.0.1' OR '1'='1",
                    4447,
                    "",
                    io.dbjobs.common.stream.StreamSecret.mint(),
                    "test"))
            .id();
    Job failed = node.await(id, JobState.FAILED, WAIT);
    assertThat(failed.errorCode()).isEqualTo("BAD_PARAMETER");
    assertThat(failed.result()).contains("names a stream receiver that is not an address");
    assertThat(runs(argv)).isEmpty();
  }
}
