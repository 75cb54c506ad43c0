package io.dbjobs.agent.task.reseed;

import io.dbjobs.agent.AgentConfig;
import io.dbjobs.agent.task.ServerProbe;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.job.JobOutcome;
import io.dbjobs.common.jobs.AgentJobs;
import io.dbjobs.common.tool.ToolRunner;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At agent start, before anything is claimed: every reseed an earlier agent left unfinished (its
 * journal is still in {@code <workDir>/reseed}) is settled, not just reported. A datadir swap is
 * finished when its new data had been verified serving, and rolled back otherwise ({@link
 * PhysicalSwap#settle}); a logical set-aside is finished when its load had completed, and put back
 * otherwise ({@link KeptAside#settle}). Each settled job's outcome says which, prefixed {@code
 * settled after restart}, and is written through the agent's outbox once the database answers.
 *
 * <p>A state the journal does not explain (a name in two places) stops the agent's start with a
 * message saying what to do: nothing is guessed.
 */
public final class SwapRecovery {
  private static final Logger LOG = LoggerFactory.getLogger(SwapRecovery.class);

  private SwapRecovery() {}

  /** A settled job, with the outcome to record under its (dead) agent's lease. */
  public record Settled(long jobId, String owner, JobOutcome outcome) {}

  /** The agent's parts a settle uses. */
  public record Parts(
      AgentConfig config,
      DataSource database,
      AgentJobs jobs,
      ServerProbe probe,
      ToolRunner tools) {}

  /** Settles every journal in {@code <workDir>/reseed}, oldest job first. */
  public static List<Settled> settle(Parts parts) throws InterruptedException {
    return settle(parts, CrashPoints.fromSystemProperty());
  }

  static List<Settled> settle(Parts parts, CrashPoints crash) throws InterruptedException {
    Path dir = parts.config().workDir().resolve("reseed");
    List<Settled> out = new ArrayList<>();
    for (Path journal : journals(dir, "*.swap.journal")) {
      out.add(settleSwap(parts, journal, crash));
    }
    for (Path journal : journals(dir, "*.aside.journal")) {
      out.add(settleAside(parts, journal, crash));
    }
    return out;
  }

  private static Settled settleSwap(Parts parts, Path journal, CrashPoints crash)
      throws InterruptedException {
    DatadirSwap swap = DatadirSwap.resume(journal, crash);
    SwapPlan plan = swap.plan();
    LOG.warn(
        "{}: an earlier agent ({}) left its datadir swap of {} unfinished; settling it before"
            + " polling",
        plan.label(),
        plan.owner(),
        plan.datadir());
    OrphanTools.killNaming(
        plan.label(),
        List.of(plan.newDataPath(), plan.oldDataPath(), jobFolder(parts, plan.jobId())));
    SettleContext ctx = context(parts, plan.jobId(), plan.task(), plan.owner());
    PhysicalSwap physical =
        new PhysicalSwap(
            swap,
            new ServiceServer(ctx, plan.datadirPath(), null),
            new ReplicationRejoin(ctx, plan.ownServerId(), plan.channels()),
            crash);
    Settled s = settled(plan.jobId(), plan.owner(), plan.label(), physical.settle());
    removeJobFolder(parts, plan.jobId());
    return s;
  }

  private static Settled settleAside(Parts parts, Path journal, CrashPoints crash)
      throws InterruptedException {
    KeptAside.AsidePlan plan = StepJournal.read(journal).plan(KeptAside.AsidePlan.class);
    LOG.warn(
        "{}: an earlier agent ({}) left its old schemas set aside; settling them before polling",
        plan.label(),
        plan.owner());
    Path staging = parts.config().workDir().resolve("logical-staging");
    // a loader still running would go on loading while the old schemas are put back
    OrphanTools.killNaming(plan.label(), List.of(jobFolder(parts, plan.jobId()), staging));
    SettleContext ctx = context(parts, plan.jobId(), plan.task(), plan.owner());
    if (!ctx.probe().answers()) {
      new ServiceServer(ctx, null, null).start();
    }
    PhysicalSwap.Ended ended =
        KeptAside.settle(
            ctx.database(),
            journal,
            new ReplicationRejoin(ctx, plan.ownServerId(), plan.channels()),
            crash);
    removeJobFolder(parts, plan.jobId());
    // a parallel load stages its parts there; no load runs while the agent starts
    removeLeftover(staging, plan.label());
    return settled(plan.jobId(), plan.owner(), plan.label(), ended);
  }

  /**
   * The dead job's own work folder ({@code <workDir>/jobs/<id>}): what it held (a client defaults
   * file with the database password, say) was the killed agent's to delete.
   */
  private static void removeJobFolder(Parts parts, long jobId) {
    removeLeftover(jobFolder(parts, jobId), "job " + jobId);
  }

  private static Path jobFolder(Parts parts, long jobId) {
    return parts.config().workDir().resolve("jobs").resolve(Long.toString(jobId));
  }

  private static void removeLeftover(Path folder, String label) {
    if (!Files.exists(folder, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try {
      DurableFiles.deleteTree(folder);
      LOG.warn("{}: removed {}, left by the agent that stopped", label, folder);
    } catch (IOException e) {
      // the settle's outcome stands; what is left is named for the operator
      LOG.error(
          "{}: cannot remove {}, left by the agent that stopped: {}; remove it by hand",
          label,
          folder,
          e.toString());
    }
  }

  private static Settled settled(long jobId, String owner, String label, PhysicalSwap.Ended e) {
    JobOutcome outcome =
        e.finished()
            ? JobOutcome.succeeded("settled after restart: finished: " + e.text())
            : JobOutcome.failed(
                e.code() == null ? ErrorCode.ROLLED_BACK : e.code(),
                "settled after restart: " + e.text());
    LOG.warn("{}: {}", label, outcome.result());
    return new Settled(jobId, owner, outcome);
  }

  private static SettleContext context(Parts p, long jobId, String task, String owner) {
    return new SettleContext(
        jobId, task, owner, p.config(), p.database(), p.jobs(), p.probe(), p.tools());
  }

  private static List<Path> journals(Path dir, String glob) {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, glob)) {
      s.forEach(out::add);
    } catch (IOException e) {
      throw new DbJobsException(
          ErrorCode.INTERNAL, "cannot read the reseed journals in " + dir + ": " + e, e);
    }
    out.sort((a, b) -> Long.compare(jobIdOf(a), jobIdOf(b)));
    return out;
  }

  private static long jobIdOf(Path journal) {
    String n = journal.getFileName().toString();
    try {
      return Long.parseLong(n.substring(0, n.indexOf('.')));
    } catch (NumberFormatException e) {
      throw new DbJobsException(
          ErrorCode.INTERNAL, "unexpected file " + journal + " among the reseed journals", e);
    }
  }
}
