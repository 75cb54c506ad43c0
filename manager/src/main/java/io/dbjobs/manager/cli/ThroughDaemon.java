package io.dbjobs.manager.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import io.dbjobs.common.time.Durations;
import io.dbjobs.common.time.Steps;
import io.dbjobs.manager.api.ApiFleet;
import io.dbjobs.manager.api.ManagerApi;
import io.dbjobs.manager.fleet.JobView;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The long commands (backup, logs collect, reseed, flashback) when a daemon runs: the daemon owns
 * the receiver and the catalog, so the command asks it to start the work, then follows the node's
 * job like {@code submit --wait}.
 */
final class ThroughDaemon {
  private ThroughDaemon() {}

  /**
   * The daemon's API when commands go through it, else null; in direct mode no fleet is built (the
   * long commands open their own connections and receiver, once).
   */
  static ApiFleet api(DbJobsCli root) {
    return root.daemonUrl() != null && root.fleet() instanceof ApiFleet a ? a : null;
  }

  /**
   * POSTs {@code body} to {@code path} and, when {@code wait}, follows the job it answers with;
   * returns the last view (the first one without {@code wait}).
   */
  static JobView startAndFollow(
      ApiFleet api,
      String path,
      Object body,
      PrintWriter out,
      boolean quiet,
      String timeout,
      boolean wait)
      throws InterruptedException {
    ManagerApi.JobDoc started = api.client().post(path, body, ManagerApi.JobDoc.class);
    Steps.mark("job submitted to the daemon");
    JobView first = started.toView();
    ProgressPrinter printer =
        new ProgressPrinter(
            quiet ? new PrintWriter(PrintWriter.nullWriter()) : out,
            !quiet && System.console() != null);
    printer.note(
        "job "
            + first.job().id()
            + " on "
            + first.node()
            + " ("
            + first.job().task()
            + "), run by the daemon at "
            + api.client().baseUrl());
    if (!wait) {
      return first;
    }
    Duration limit = Durations.parse(timeout);
    JobView last = new JobWaiter(api, printer).await(first, limit).last();
    Steps.afterJobEnd("job end seen", last.job().ended());
    return last;
  }

  /** The catalog's backups as the daemon lists them. */
  static List<Map<String, Object>> backups(ApiFleet api, String node) {
    String q = node == null ? "" : "?node=" + ManagerApi.encode(node);
    return api.client()
        .get(ManagerApi.BACKUPS + q, new TypeReference<List<Map<String, Object>>>() {});
  }

  /** The stored backup whose manifest names this job, or null. */
  static Map<String, Object> backupOfJob(ApiFleet api, JobView job) {
    for (Map<String, Object> b : backups(api, job.node())) {
      Object id = b.get("jobId");
      if (id instanceof Number n && n.longValue() == job.job().id()) {
        Steps.afterJobEnd("backup found in the catalog", job.job().ended());
        return b;
      }
    }
    return null;
  }

  /**
   * Prints the job's outcome (or, for a job still under way after {@code --no-wait}, how to follow
   * it) and returns the exit status.
   */
  static int finish(PrintWriter out, JobView last, boolean json, Object extra) {
    if (!last.job().state().isFinal()) {
      if (json) {
        out.println(Json.write(Map.of("job", Json.job(last, Instant.now()))));
      } else {
        out.println(
            "job "
                + last.job().id()
                + " on "
                + last.node()
                + " is "
                + last.job().state().label()
                + "; follow it with: dbjobs jobs --node "
                + last.node()
                + " "
                + last.job().id());
      }
      out.flush();
      return 0;
    }
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("job", Json.job(last, Instant.now()));
      if (extra != null) {
        m.put("backup", extra);
      }
      out.println(Json.write(m));
    } else {
      out.println(JobWaiter.summary(last, Instant.now()));
      if (extra instanceof Map<?, ?> b) {
        out.println(
            "stored as backup "
                + b.get("id")
                + " ("
                + b.get("bytes")
                + " bytes, sha256 "
                + b.get("sha256")
                + ")");
      }
    }
    out.flush();
    Steps.afterJobEnd("printed", last.job().ended());
    return JobWaiter.exitStatus(last.job());
  }
}
