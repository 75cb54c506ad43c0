package io.dbjobs.agent.task.reseed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The datadir swap killed at each of its crash points, on real folders: the old and the new data
 * both have an {@code ibdata1}, a {@code mysql} and a {@code shop} folder (same names, different
 * contents), so a rename that replaced anything, or an entry moved to the wrong side, shows. The
 * crashed run's thread is frozen where it stood; a fresh swap then settles the journal it left, as
 * an agent does at its next start.
 */
class DatadirSwapCrashTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String GTID = "0-1-42";
  private static final String PRIMARY = "10.0.0.1:3306";

  @TempDir Path root;
  private Path datadir;
  private Path newData;
  private Path oldData;
  private Path journalDir;
  private Map<String, String> oldSnapshot;
  private Map<String, String> newSnapshot;
  private FakeServer server;
  private FakeRejoin rejoin;

  @BeforeEach
  void oldData() throws IOException {
    datadir = Files.createDirectories(root.resolve("data"));
    newData = root.resolve("data.dbjobs-new-7");
    oldData = root.resolve("data.dbjobs-old-7");
    journalDir = root.resolve("work/reseed");
    write(datadir, "ibdata1", "old");
    write(datadir, "ib_logfile0", "old redo");
    write(datadir, "aria_log_control", "old aria");
    write(datadir, "mysql/user.MAI", "old users");
    write(datadir, "shop/orders.ibd", "old orders");
    write(datadir, "shop/db.opt", "old opt");
    write(datadir, "old_only/t.ibd", "old only");
    oldSnapshot = snapshot(datadir);
    server = new FakeServer(datadir);
    rejoin = new FakeRejoin();
  }

  /** What mbstream and mariadb-backup --prepare would leave in the staging folder. */
  private void receiveNewData() throws IOException {
    write(newData, "ibdata1", "new");
    write(newData, "ib_logfile0", "new redo");
    write(newData, "mysql/user.MAI", "new users");
    write(newData, "shop/orders.ibd", "new orders");
    write(newData, "new_only/t.ibd", "new only");
    write(newData, "xtrabackup_binlog_info", "mysql-bin.000001 42 " + GTID);
    newSnapshot = snapshot(newData);
  }

  private SwapPlan plan(boolean keepOld) {
    return new SwapPlan(
        7,
        "db2@host/123",
        "reseed-physical",
        datadir.toString(),
        newData.toString(),
        oldData.toString(),
        DatadirSwap.historyFile(journalDir, 7).toString(),
        PRIMARY,
        keepOld,
        null,
        "a test backup",
        List.of());
  }

  private Path journal() {
    return DatadirSwap.journalFile(journalDir, 7);
  }

  /** The handler's steps from staging to a caught-up node, with {@code crash} points. */
  private String reseed(CrashPoints crash, boolean keepOld) throws Exception {
    DatadirSwap swap = DatadirSwap.stage(plan(keepOld), journal(), crash);
    receiveNewData();
    crash.reach(CrashPoint.STAGE_RECEIVED);
    swap.mark(DatadirSwap.PREPARED, GTID, CrashPoint.STAGE_PREPARED);
    Files.writeString(swap.plan().historyPath(), "{\"columns\":[],\"rows\":[]}");
    PhysicalSwap physical = new PhysicalSwap(swap, server, rejoin, crash);
    physical.swapIn();
    return physical.finish();
  }

  /** What an agent's start does with the journal left behind: a fresh swap settles it. */
  private PhysicalSwap.Ended settle() throws InterruptedException {
    return new PhysicalSwap(
            DatadirSwap.resume(journal(), CrashPoints.none()), server, rejoin, CrashPoints.none())
        .settle();
  }

  static Stream<CrashPoint> forwardPoints() {
    return Arrays.stream(CrashPoint.values())
        .filter(p -> p.group() == CrashPoint.Group.STAGING || p.group() == CrashPoint.Group.SWAP);
  }

  static Stream<CrashPoint> rollbackPoints() {
    return Arrays.stream(CrashPoint.values())
        .filter(p -> p.group() == CrashPoint.Group.SWAP_ROLLBACK);
  }

  @ParameterizedTest(name = "killed at {0}")
  @MethodSource("forwardPoints")
  void aSwapKilledAtAnyStepIsSettledExactlyAtTheNextStart(CrashPoint point) throws Exception {
    FrozenAt crash = FrozenAt.at(point);
    crash.runUntilFrozen(() -> reseed(crash.points(), false), WAIT);

    PhysicalSwap.Ended ended = settle();

    if (point.settlesBy() == CrashPoint.Settle.FINISH) {
      assertThat(ended.finished()).as(ended.text()).isTrue();
      assertThat(ended.text())
          .contains("replicating from " + PRIMARY)
          .contains("the old data was deleted");
      assertThat(snapshot(datadir)).as("the new data, whole").isEqualTo(newSnapshot);
      assertThat(server.serving()).isEqualTo("new");
      assertThat(rejoin.repositionings()).as("repositioned exactly once").isEqualTo(1);
      assertThat(rejoin.calls).last().isEqualTo("catch-up");
    } else {
      assertThat(ended.finished()).as(ended.text()).isFalse();
      assertThat(ended.code()).isEqualTo(ErrorCode.ROLLED_BACK);
      assertThat(ended.text()).startsWith("rolled back (the old data serves again)");
      assertThat(snapshot(datadir)).as("the old data, whole and unchanged").isEqualTo(oldSnapshot);
      assertThat(server.serving()).isEqualTo("old");
      assertThat(rejoin.calls).isEmpty();
    }
    assertNothingLeftBehind();
  }

  @ParameterizedTest(name = "killed at {0}")
  @MethodSource("rollbackPoints")
  void aRollbackKilledAtAnyStepIsResumedAtTheNextStart(CrashPoint point) throws Exception {
    server.failStartOnNew = true;
    FrozenAt crash = FrozenAt.at(point);
    crash.runUntilFrozen(() -> reseed(crash.points(), false), WAIT);

    PhysicalSwap.Ended ended = settle();

    assertThat(ended.code()).isEqualTo(ErrorCode.ROLLED_BACK);
    assertThat(ended.text()).contains("the new data did not serve").contains("does not start");
    assertThat(snapshot(datadir)).isEqualTo(oldSnapshot);
    assertThat(server.serving()).isEqualTo("old");
    assertNothingLeftBehind();
  }

  @Test
  void aSwapThatRunsThroughServesTheNewDataAndDeletesTheOld() throws Exception {
    String done = reseed(CrashPoints.none(), false);
    assertThat(done)
        .isEqualTo(
            "replicating from "
                + PRIMARY
                + " after GTID "
                + GTID
                + ", caught up with 0-1-42 in 1 s; the old data was deleted");
    assertThat(snapshot(datadir)).isEqualTo(newSnapshot);
    assertThat(server.calls).containsExactly("stop", "start", "verify", "history");
    assertNothingLeftBehind();
  }

  @Test
  void keepOldKeepsTheOldDataBesideTheDatadir() throws Exception {
    String done = reseed(CrashPoints.none(), true);
    assertThat(done).endsWith("the old data is kept in " + oldData);
    assertThat(snapshot(oldData)).isEqualTo(oldSnapshot);
    assertThat(Files.exists(journal())).isFalse();
  }

  @Test
  void anIoErrorWhileMovingTheOldEntriesOutPutsBackExactlyThoseAndStartsTheServer() {
    FrozenAt failing = FrozenAt.at(null, CrashPoint.SWAP_OUT_HALF);
    assertThatThrownBy(() -> reseed(failing.points(), false))
        .isInstanceOfSatisfying(
            DbJobsException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ROLLED_BACK))
        .hasMessageContaining("injected I/O error at swap.out.half")
        .hasMessageContaining("old entries moved out were put back");
    assertThat(snapshot(datadir)).isEqualTo(oldSnapshot);
    assertThat(server.serving()).isEqualTo("old");
    assertNothingLeftBehind();
  }

  @Test
  void anIoErrorWhileMovingTheNewEntriesInPutsTheOldDataBack() {
    FrozenAt failing = FrozenAt.at(null, CrashPoint.SWAP_IN_HALF);
    assertThatThrownBy(() -> reseed(failing.points(), false))
        .hasMessageContaining("rolled back (the old data serves again)");
    assertThat(snapshot(datadir)).isEqualTo(oldSnapshot);
    assertThat(server.serving()).isEqualTo("old");
    assertNothingLeftBehind();
  }

  @Test
  void newDataThatDoesNotVerifyIsRolledBackAndTheOldDataStarted() {
    server.failVerifyOnNew = true;
    assertThatThrownBy(() -> reseed(CrashPoints.none(), false))
        .isInstanceOfSatisfying(
            DbJobsException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ROLLED_BACK))
        .hasMessageContaining("tables that do not open");
    assertThat(snapshot(datadir)).isEqualTo(oldSnapshot);
    assertThat(server.serving()).isEqualTo("old");
    assertThat(server.calls)
        .as("the new server was stopped before its entries moved back")
        .containsExactly("stop", "start", "verify", "stop", "start");
    assertNothingLeftBehind();
  }

  @Test
  void aStopThatFailsLeavesTheOldDataServing() {
    server.failStop = true;
    assertThatThrownBy(() -> reseed(CrashPoints.none(), false))
        .hasMessageContaining("nothing of the old data had been moved");
    assertThat(snapshot(datadir)).isEqualTo(oldSnapshot);
    assertThat(server.serving()).isEqualTo("old");
    assertNothingLeftBehind();
  }

  @Test
  void aRepositioningThatFailsKeepsTheNewDataServingAndTheOldAside() {
    rejoin.failCatchUp = true;
    assertThatThrownBy(() -> reseed(CrashPoints.none(), false))
        .isInstanceOfSatisfying(
            DbJobsException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TIMEOUT))
        .hasMessageContaining("did not catch up")
        .hasMessageContaining("the old data is kept in " + oldData);
    assertThat(snapshot(datadir)).isEqualTo(newSnapshot);
    assertThat(snapshot(oldData)).isEqualTo(oldSnapshot);
    assertThat(Files.exists(journal())).isFalse();
  }

  @Test
  void aNewDataThatNoLongerServesAfterTheRestartIsRolledBackThough() throws Exception {
    FrozenAt crash = FrozenAt.at(CrashPoint.SWAP_VERIFIED);
    crash.runUntilFrozen(() -> reseed(crash.points(), false), WAIT);
    server.stop(); // the node rebooted meanwhile, and now its new data fails
    server.failStartOnNew = true;

    PhysicalSwap.Ended ended = settle();

    assertThat(ended.code()).isEqualTo(ErrorCode.ROLLED_BACK);
    assertThat(ended.text()).contains("did not serve after its restart");
    assertThat(snapshot(datadir)).isEqualTo(oldSnapshot);
    assertThat(server.serving()).isEqualTo("old");
    assertNothingLeftBehind();
  }

  @Test
  void aNameInBothPlacesIsAHardStopThatReplacesNothing() throws Exception {
    FrozenAt crash = FrozenAt.at(CrashPoint.SWAP_OUT_ALL);
    crash.runUntilFrozen(() -> reseed(crash.points(), false), WAIT);
    // something wrote an ibdata1 into the empty datadir: the new data's ibdata1 is still staged
    Files.writeString(datadir.resolve("ibdata1"), "stray");

    assertThatThrownBy(this::settle)
        .isInstanceOf(DatadirSwap.HardStop.class)
        .hasMessageContaining("stopped, nothing more is moved")
        .hasMessageContaining("would replace the " + newData.resolve("ibdata1"));
    assertThat(Files.readString(datadir.resolve("ibdata1"))).isEqualTo("stray");
    assertThat(Files.readString(newData.resolve("ibdata1"))).isEqualTo("new");
    assertThat(Files.readString(oldData.resolve("ibdata1"))).isEqualTo("old");
    assertThat(server.running())
        .as("never started on a datadir the journal cannot explain")
        .isFalse();
    assertThat(Files.exists(journal())).as("kept for the operator").isTrue();
  }

  @Test
  void anOldEntryFoundInBothPlacesIsAHardStop() throws Exception {
    FrozenAt crash = FrozenAt.at(CrashPoint.SWAP_OUT_RENAMED);
    crash.runUntilFrozen(() -> reseed(crash.points(), false), WAIT);
    String moved =
        Files.readAllLines(journal()).stream()
            .filter(l -> l.contains("\"intent\""))
            .reduce((a, b) -> b)
            .map(l -> l.replaceAll(".*\"name\":\"([^\"]+)\".*", "$1"))
            .orElseThrow();
    Files.createDirectories(datadir.resolve(moved).getParent());
    Files.writeString(datadir.resolve(moved), "stray");

    assertThatThrownBy(this::settle)
        .isInstanceOf(DatadirSwap.HardStop.class)
        .hasMessageContaining("is both in");
    assertThat(Files.exists(oldData.resolve(moved))).isTrue();
    assertThat(Files.readString(datadir.resolve(moved))).isEqualTo("stray");
  }

  @Test
  void anExistingOldDataFolderIsRefusedBeforeAnythingMoves() throws IOException {
    write(oldData, "ibdata1", "older");
    assertThatThrownBy(() -> reseed(CrashPoints.none(), false))
        .isInstanceOfSatisfying(
            DbJobsException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PREFLIGHT_REFUSED))
        .hasMessageContaining("exists already");
    assertThat(snapshot(datadir)).isEqualTo(oldSnapshot);
    assertThat(server.calls).isEmpty();
  }

  @Test
  void aStagingFolderInsideTheDatadirIsRefused() {
    newData = datadir.resolve("staging");
    assertThatThrownBy(() -> reseed(CrashPoints.none(), false))
        .hasMessageContaining("lies inside the datadir");
    assertThat(snapshot(datadir)).isEqualTo(oldSnapshot);
  }

  @Test
  void theJournalRecordsEachMoveBeforeAndAfterIt() throws Exception {
    FrozenAt crash = FrozenAt.at(CrashPoint.SWAP_IN_ALL);
    crash.runUntilFrozen(() -> reseed(crash.points(), false), WAIT);
    StepJournal.Replay r = StepJournal.read(journal());
    assertThat(r.kind()).isEqualTo(DatadirSwap.KIND);
    assertThat(r.plan(SwapPlan.class)).isEqualTo(plan(false));
    assertThat(r.lines().stream().filter(l -> l.step() == null).map(StepJournal.Line::at))
        .containsExactly("prepared", "swapping", "stopped", "all-out", "all-in");
    assertThat(r.note("prepared")).isEqualTo(GTID);
    // every entry: intent, then done, for both directions
    assertThat(
            r.lines().stream()
                .filter(l -> "out".equals(l.step()))
                .map(l -> l.at() + " " + l.name()))
        .containsExactly(
            "intent aria_log_control",
            "done aria_log_control",
            "intent ib_logfile0",
            "done ib_logfile0",
            "intent ibdata1",
            "done ibdata1",
            "intent mysql",
            "done mysql",
            "intent old_only",
            "done old_only",
            "intent shop",
            "done shop");
    assertThat(r.lines().stream().filter(l -> "in".equals(l.step())).count()).isEqualTo(12);
  }

  private void assertNothingLeftBehind() {
    assertThat(newData).doesNotExist();
    assertThat(Files.exists(oldData)).as("old data folder " + oldData).isFalse();
    assertThat(journal()).doesNotExist();
    assertThat(DatadirSwap.historyFile(journalDir, 7)).doesNotExist();
    assertThat(root).isDirectoryNotContaining(p -> p.getFileName().toString().contains(".dbjobs-"));
  }

  private static void write(Path dir, String relative, String content) throws IOException {
    Path f = dir.resolve(relative);
    Files.createDirectories(f.getParent());
    Files.writeString(f, content);
  }

  /** Every file under {@code dir} with its content, every folder as "<dir>". */
  static Map<String, String> snapshot(Path dir) {
    Map<String, String> out = new TreeMap<>();
    if (!Files.exists(dir)) {
      return out;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(p -> !p.equals(dir)).toList()) {
        out.put(dir.relativize(p).toString(), Files.isDirectory(p) ? "<dir>" : Files.readString(p));
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out;
  }
}
