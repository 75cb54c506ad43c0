package io.dbjobs.agent.task;

import io.dbjobs.agent.AgentConfig;
import io.dbjobs.common.job.Job;
import io.dbjobs.common.job.params.TaskParams;
import io.dbjobs.common.jobs.AgentJobs;
import io.dbjobs.common.tool.RunningTool;
import io.dbjobs.common.tool.ToolCommand;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;

/** What a handler gets for one job: its row, validated parameters, the node, and controls. */
public interface JobContext {
  Job job();

  /** Parameters checked against the task's specs, defaults filled in, as text. */
  Map<String, String> params();

  /**
   * The parameters as the task's typed record ({@link io.dbjobs.common.job.Task#paramsType()}).
   *
   * @throws IllegalArgumentException when {@code type} is not this task's record
   */
  <T extends TaskParams> T params(Class<T> type);

  AgentConfig config();

  /** The pool to this node's database. */
  DataSource database();

  /** The jobs table of this node (for state changes such as waiting-for-stream). */
  AgentJobs jobs();

  /**
   * The job's stream secret (64 hex characters), opened from its sealed row.
   *
   * @throws io.dbjobs.common.DbJobsException BAD_PARAMETER when the job has none (the manager gives
   *     one to every job that streams)
   */
  String streamSecret();

  /**
   * The name the stream peer's TLS certificate must carry (a node, or the manager's receiver), as
   * the manager sealed it; "" when the job named none.
   */
  String peerName();

  /** This agent instance's lease owner name. */
  String owner();

  ServerProbe probe();

  /** A private folder for this job's files, removed when the job ends. */
  Path workDir();

  /** Records where the job is; written to the row with the next heartbeat. */
  void progress(String phase, long bytesDone, Long bytesTotal);

  default void phase(String phase) {
    progress(phase, 0, null);
  }

  /**
   * Makes the job's lease last at least {@code atLeast} from now on, before a step during which the
   * database may not answer (stopping or restarting it), so nobody takes the job for lost.
   */
  void extendLease(Duration atLeast);

  /**
   * Runs {@code step} so that a cancel or an agent stop arriving meanwhile waits until it is done:
   * no tool of the step is killed and the thread is not interrupted inside it. For steps that must
   * not stop halfway, such as swapping a datadir or rolling it back.
   */
  <T> T critical(String what, CriticalStep<T> step) throws Exception;

  /** A step of {@link #critical}. */
  @FunctionalInterface
  interface CriticalStep<T> {
    T run() throws Exception;
  }

  /** True once a cancel was requested or the agent is stopping. */
  boolean isStopping();

  /**
   * @throws io.dbjobs.common.DbJobsException CANCELLED or AGENT_STOPPED when the job must end
   */
  void checkStopping();

  /** Starts a tool that is killed if the job is cancelled or the agent stops. */
  RunningTool start(ToolCommand command);

  /**
   * Registers an action run when the job must stop (e.g. {@code Statement::cancel}); closing the
   * returned handle unregisters it.
   */
  Registration onStop(Runnable action);

  /** Undoes a registration when closed. */
  interface Registration extends AutoCloseable {
    @Override
    void close();
  }

  /** The job's raw parameter or its default, as a duration/long/boolean helper. */
  default String param(String name) {
    return params().get(name);
  }
}
