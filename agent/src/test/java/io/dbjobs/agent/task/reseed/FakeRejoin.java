package io.dbjobs.agent.task.reseed;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Replication for swap unit tests: records what was asked, as the server would keep it. */
final class FakeRejoin implements PhysicalSwap.Rejoin {
  private volatile String pointingAt;
  volatile boolean failCatchUp;
  final List<String> calls = Collections.synchronizedList(new ArrayList<>());

  @Override
  public boolean pointsAt(String primary) {
    return primary.equals(pointingAt);
  }

  @Override
  public void reposition(String primary, String gtid) {
    calls.add("reposition " + primary + " " + gtid);
    pointingAt = primary;
  }

  @Override
  public void resume(String primary) {
    calls.add("resume " + primary);
  }

  @Override
  public String catchUp(String primary) {
    calls.add("catch-up");
    if (failCatchUp) {
      throw new DbJobsException(ErrorCode.TIMEOUT, "did not catch up within 1 s (test)");
    }
    return "caught up with 0-1-42 in 1 s";
  }

  long repositionings() {
    return calls.stream().filter(c -> c.startsWith("reposition ")).count();
  }
}
