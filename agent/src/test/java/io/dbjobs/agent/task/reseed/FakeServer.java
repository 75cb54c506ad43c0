package io.dbjobs.agent.task.reseed;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The node's server for swap unit tests: it outlives any agent (one instance before and after a
 * simulated crash), runs on whatever its datadir holds, and tells which side that is by the
 * datadir's {@code ibdata1} ("old" or "new"). It can be told to fail starting or verifying the new
 * data.
 */
final class FakeServer implements PhysicalSwap.Server {
  private final Path datadir;
  private volatile boolean running = true;
  private volatile String servingSide;
  volatile boolean failStartOnNew;
  volatile boolean failVerifyOnNew;
  volatile boolean failStop;
  final List<String> calls = Collections.synchronizedList(new ArrayList<>());
  volatile Path historyRestored;

  FakeServer(Path datadir) {
    this.datadir = datadir;
    this.servingSide = side();
  }

  /** "old", "new", or what else the datadir's ibdata1 says (none: "empty"). */
  String side() {
    Path ib = datadir.resolve("ibdata1");
    try {
      return Files.isRegularFile(ib) ? Files.readString(ib) : "empty";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  boolean running() {
    return running;
  }

  /** The side the running server serves, null when stopped. */
  String serving() {
    return running ? servingSide : null;
  }

  @Override
  public boolean answers() {
    return running;
  }

  @Override
  public void stop() {
    calls.add("stop");
    if (failStop) {
      throw new DbJobsException(ErrorCode.SERVICE_COMMAND_FAILED, "stop failed (test)");
    }
    running = false;
  }

  @Override
  public void start() {
    calls.add("start");
    String side = side();
    if (failStartOnNew && side.equals("new")) {
      throw new DbJobsException(
          ErrorCode.SERVER_NOT_ANSWERING, "the new data does not start (test)");
    }
    if (!side.equals("old") && !side.equals("new")) {
      throw new DbJobsException(ErrorCode.SERVER_NOT_ANSWERING, "no system tablespace (test)");
    }
    servingSide = side;
    running = true;
  }

  @Override
  public void verify() {
    calls.add("verify");
    if (!running) {
      throw new DbJobsException(ErrorCode.RESTORE_FAILED, "not running (test)");
    }
    if (failVerifyOnNew && servingSide.equals("new")) {
      throw new DbJobsException(ErrorCode.RESTORE_FAILED, "tables that do not open: t (test)");
    }
  }

  @Override
  public void restoreHistory(Path historyFile) {
    calls.add("history");
    historyRestored = historyFile;
  }
}
