package io.dbjobs.manager.cli;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.time.Durations;
import io.dbjobs.manager.api.ApiFleet;
import io.dbjobs.manager.fleet.JobView;
import io.dbjobs.manager.health.ClusterHealth;
import io.dbjobs.manager.health.NodeHealth;
import io.dbjobs.manager.operations.OperationsApi;
import io.dbjobs.manager.recover.Recover;
import io.dbjobs.manager.recover.RecoverOptions;
import io.dbjobs.manager.recover.RecoverPlan;
import io.dbjobs.manager.recover.RecoverPlanner;
import io.dbjobs.manager.reseed.Reseed;
import io.dbjobs.manager.reseed.ReseedMethod;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "recover",
    mixinStandardHelpOptions = true,
    description = {
      "Repair a replica's replication without rebuilding it: the node's agent restores read_only,"
          + " points the replication connection at the cluster's current primary by GTID (keeping"
          + " the node's position), starts every connection, and succeeds only when all of them"
          + " run and the node caught up with the primary. It repairs stopped threads, transient"
          + " IO or SQL errors, a replica left on an old primary (wrong-primary) and a writable"
          + " replica.",
      "",
      "When a recovery cannot be correct (errant transactions, binlogs the primary no longer has,"
          + " an SQL error from diverged rows), it changes nothing and exits 7 naming the reseed"
          + " to run; nothing is ever skipped (no sql_slave_skip_counter, no GTID skipping). With"
          + " --reseed-if-needed it runs that reseed itself, preflight and all.",
      "",
      "--cluster C recovers every replica of C whose diagnosis is not ok or lagging (see dbjobs"
          + " nodes), one after the other; shunned nodes are left to be recovered by name.",
      ""
    },
    footer = {
      "",
      "Examples:",
      "  dbjobs recover --node db3",
      "  dbjobs recover --cluster prod",
      "  dbjobs recover --node db3 --reseed-if-needed --method physicaldonor",
      "  dbjobs recover --node db3 --no-wait --json",
      "",
      "Exit status: 0 recovered (every connection runs, caught up) or nothing to do; 1 the job"
          + " failed; 4 the node or the primary cannot be reached; 6 timed out waiting (the job"
          + " goes on); 7 refused, nothing changed (needs a reseed, or no primary)."
    })
final class RecoverCommand implements Callable<Integer> {
  @ParentCommand DbJobsCli root;
  @Spec CommandSpec spec;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Target target;

  static final class Target {
    @Option(names = "--node", paramLabel = "NODE", description = "the replica to recover")
    String node;

    @Option(
        names = "--cluster",
        paramLabel = "CLUSTER",
        description = "every replica of the cluster that needs it")
    String cluster;
  }

  @Option(
      names = "--reseed-if-needed",
      description = "reseed a node that cannot be recovered correctly instead of refusing")
  boolean reseedIfNeeded;

  @Option(
      names = "--method",
      paramLabel = "METHOD",
      description =
          "with --reseed-if-needed: physicalbackup, logicalbackup, logicalmaster or physicaldonor"
              + " (default: physicaldonor when another replica is healthy, else logicalmaster)")
  String method;

  @Option(
      names = "--wait",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "follow each job to its end (the default); --no-wait returns once the jobs are"
              + " enqueued (a reseed without a daemon always waits: the command carries its"
              + " stream)")
  boolean await = true;

  @Option(
      names = "--timeout",
      defaultValue = "2h",
      paramLabel = "DURATION",
      description = "give up waiting for a job after this long (default ${DEFAULT-VALUE})")
  String timeout;

  @Option(names = "--json", description = "print the outcome per node as JSON")
  boolean json;

  /** One node's outcome, for the exit status and --json. */
  private record Outcome(int exit, Map<String, Object> doc) {}

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    if (method != null && !reseedIfNeeded) {
      throw new DbJobsException(ErrorCode.USAGE, "--method goes with --reseed-if-needed");
    }
    RecoverOptions opts =
        new RecoverOptions(reseedIfNeeded, method == null ? null : ReseedMethod.parse(method));
    if (target.node != null) {
      Outcome o = one(target.node, opts, out, false);
      if (json) {
        out.println(Json.write(o.doc()));
        out.flush();
      }
      return o.exit();
    }
    ClusterHealth h = root.operations().health(target.cluster).get(0);
    List<NodeHealth> todo = new ArrayList<>();
    for (NodeHealth n : RecoverPlanner.targets(h)) {
      if (n.shunned() != null) {
        note(
            out,
            n.node()
                + " is "
                + n.diagnosis()
                + " but shunned: left alone (recover it with --node "
                + n.node()
                + ")");
      } else {
        todo.add(n);
      }
    }
    if (todo.isEmpty()) {
      note(out, "cluster " + h.cluster() + ": no replica needs recovering");
      if (json) {
        out.println("[]");
      }
      out.flush();
      return 0;
    }
    int exit = 0;
    List<Map<String, Object>> docs = new ArrayList<>();
    for (NodeHealth n : todo) {
      Outcome o;
      try {
        o = one(n.node(), opts, out, true);
      } catch (DbJobsException e) {
        note(out, n.node() + ": " + e.getMessage());
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("node", n.node());
        d.put("error", e.getMessage());
        d.put("code", e.code().name());
        o = new Outcome(e.code().exitStatus(), d);
      }
      docs.add(o.doc());
      if (exit == 0) {
        exit = o.exit();
      }
    }
    if (json) {
      out.println(Json.write(docs));
    }
    out.flush();
    return exit;
  }

  private Outcome one(String node, RecoverOptions opts, PrintWriter out, boolean inCluster)
      throws InterruptedException {
    ApiFleet api = ThroughDaemon.api(root);
    String by = DbJobsCli.who();
    if (api != null) {
      OperationsApi.RecoverDoc d =
          api.client()
              .post(
                  OperationsApi.RECOVER,
                  new OperationsApi.RecoverBody(
                      node, opts.reseedIfNeeded(), method, by, "recover-" + UUID.randomUUID()),
                  OperationsApi.RecoverDoc.class);
      note(
          out,
          node
              + " is "
              + d.diagnosis()
              + ("ok".equals(d.diagnosis()) ? "" : " (" + d.summary() + ")")
              + ": "
              + ("reseed".equals(d.action()) ? "reseeding it by " + d.method() : "recovering it")
              + ", job "
              + d.job().id()
              + " run by the daemon at "
              + api.client().baseUrl());
      return follow(api, d.job().toView(), d.action(), d.diagnosis(), out);
    }
    Recover verb = root.recoverDirect();
    RecoverPlan plan = verb.plan(node, opts);
    if (plan instanceof RecoverPlan.Refuse r) {
      throw new DbJobsException(r.code(), r.message());
    }
    String before =
        plan.before().diagnosis()
            + (plan.before().findings().isEmpty() ? "" : " (" + plan.before().summary() + ")");
    if (plan instanceof RecoverPlan.Reseed r) {
      note(
          out,
          node
              + " is "
              + before
              + ": it cannot be recovered correctly; reseeding it by "
              + r.method().label());
      RebuildOptions rebuild = new RebuildOptions();
      rebuild.json = json;
      WaitOption wait =
          new WaitOption(); // without a daemon the command carries the stream: it waits
      int exit =
          ReseedRunner.run(
              root,
              json ? new PrintWriter(PrintWriter.nullWriter()) : out,
              new Reseed.Request(node, r.method(), null, null, null, false, null, by, false),
              root.config().mariadbDump(),
              rebuild,
              wait);
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("node", node);
      d.put("diagnosis", plan.before().diagnosis().label());
      d.put("action", "reseed");
      d.put("method", r.method().label());
      d.put("exit", exit);
      return new Outcome(exit, d);
    }
    RecoverPlan.Recover rp = (RecoverPlan.Recover) plan;
    JobView job = verb.submit(rp, "recover-" + UUID.randomUUID(), by);
    note(
        out,
        node
            + " is "
            + before
            + ": recovering it from "
            + rp.primary()
            + ", job "
            + job.job().id());
    return follow(root.fleet(), job, "recover", plan.before().diagnosis().label(), out);
  }

  private Outcome follow(
      io.dbjobs.manager.fleet.Fleet fleet,
      JobView job,
      String action,
      String diagnosis,
      PrintWriter out)
      throws InterruptedException {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("node", job.node());
    d.put("diagnosis", diagnosis);
    d.put("action", action);
    if (!await) {
      d.put("job", Json.job(job, Instant.now()));
      note(out, "follow it with: dbjobs jobs --node " + job.node() + " " + job.job().id());
      return new Outcome(0, d);
    }
    ProgressPrinter printer =
        new ProgressPrinter(
            json ? new PrintWriter(PrintWriter.nullWriter()) : out,
            !json && System.console() != null);
    JobView last = new JobWaiter(fleet, printer).await(job, Durations.parse(timeout)).last();
    d.put("job", Json.job(last, Instant.now()));
    if (!json) {
      out.println(JobWaiter.summary(last, Instant.now()));
      out.flush();
    }
    return new Outcome(JobWaiter.exitStatus(last.job()), d);
  }

  private void note(PrintWriter out, String line) {
    if (!json) {
      out.println(line);
      out.flush();
    }
  }
}
