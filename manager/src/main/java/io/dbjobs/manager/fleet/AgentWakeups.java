package io.dbjobs.manager.fleet;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.config.Secret;
import io.dbjobs.manager.config.ManagerConfig;
import io.dbjobs.manager.config.NodeConfig;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wakes a node's agent right after a job was enqueued there ({@code POST /v1/wake}), so that it
 * claims the job now instead of at its next poll (up to {@code jobs.pollInterval}, 500 ms by
 * default, on every command). Best effort by design: the call runs on one background thread and
 * never delays or fails the enqueue; a node without an agent endpoint ({@code agentPort: 0} or no
 * {@code agentToken}) is not called, and an agent that does not answer picks the job up at its next
 * poll anyway, which the debug log says. At most {@value #QUEUE} wakes wait; more are dropped for
 * the same reason.
 */
public final class AgentWakeups implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AgentWakeups.class);
  private static final int QUEUE = 64;
  private static final Duration TIMEOUT = Duration.ofSeconds(1);

  private final ManagerConfig config;
  private AgentClient agents; // made on the wake thread at first use: no HTTP client at start-up
  private final ThreadPoolExecutor calls =
      new ThreadPoolExecutor(
          1,
          1,
          0,
          TimeUnit.MILLISECONDS,
          new ArrayBlockingQueue<>(QUEUE),
          r -> {
            Thread t = new Thread(r, "agent-wakeups");
            t.setDaemon(true);
            return t;
          });

  public AgentWakeups(ManagerConfig config) {
    this.config = config;
  }

  /** Asks {@code node}'s agent to look at its jobs table now, if it has an endpoint. */
  public void wake(NodeConfig node) {
    Secret token = config.cluster(node.cluster()).agentToken();
    if (token == null || node.agentPort() <= 0) {
      return;
    }
    try {
      calls.execute(() -> call(node, token));
    } catch (RejectedExecutionException e) {
      LOG.debug(
          "{} wakes already wait; the agent of {} picks its job up at its next poll",
          QUEUE,
          node.name());
    }
  }

  private void call(NodeConfig node, Secret token) {
    if (agents == null) {
      agents = new AgentClient(TIMEOUT); // only ever touched by the single wake thread
    }
    try {
      agents.wake(node, token);
    } catch (DbJobsException e) {
      LOG.debug(
          "could not wake the agent of {} ({}); it picks its job up at its next poll",
          node.name(),
          e.getMessage());
    }
  }

  @Override
  public void close() {
    calls.shutdownNow();
  }
}
