package io.dbjobs.bench;

import io.dbjobs.testkit.ConfigFiles;
import io.dbjobs.testkit.DbBackend;
import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.DbUsers;
import io.dbjobs.testkit.FreePorts;
import io.dbjobs.testkit.MariaDbCluster;
import io.dbjobs.testkit.ServerOptions;
import io.dbjobs.testkit.TableChecksums;
import io.dbjobs.testkit.Waits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 5's benchmark, in one run on one sysbench dataset (~1 GB) on a real primary ({@code rb1})
 * and two replicas ({@code rb2} the joiner, {@code rb3} the donor), real agent jars at -Xmx128m:
 *
 * <ul>
 *   <li>{@code dbjobs reseed --method logicalmaster} vs replication-manager's pipeline {@code
 *       mariadb-dump | gzip | socat} → {@code socat | gunzip | mariadb}, and vs {@code mydumper -t
 *       2} then {@code myloader -t 2};
 *   <li>{@code dbjobs reseed --method physicaldonor} end to end (until replication runs and caught
 *       up) vs {@code mariadb-backup --stream | socat} → {@code socat | mbstream -x}, {@code
 *       --prepare}, stop, swap datadirs, start, {@code CHANGE MASTER}, until both replication
 *       threads run.
 * </ul>
 *
 * The plain-tool loads run with binary logging off, as dbjobs' do, so the comparison is of the
 * pipelines, not of what they write. After every run the joiner's tables are checked against the
 * primary's. Runs alternate, {@code repeat} times each; medians are reported.
 *
 * <p>Usage: ReseedBench [tables=4] [rows=1000000] [repeat=1]
 */
public final class ReseedBench {
  private static final String AGENT_PW = "agent-bench-pw";
  private static final String MANAGER_PW = "manager-bench-pw";
  private static final String DUMP_OPTIONS =
      " --single-transaction --routines --triggers --events --hex-blob --master-data=2 --gtid"
          + " --max-allowed-packet=1G --databases sbtest";

  private final Path repo;
  private final Path dir;
  private final MariaDbCluster cluster;
  private final DbServer primary;
  private final DbServer joiner;
  private final DbServer donor;

  private ReseedBench(Path repo, Path dir, MariaDbCluster cluster) {
    this.repo = repo;
    this.dir = dir;
    this.cluster = cluster;
    this.primary = cluster.node(1);
    this.joiner = cluster.node(2);
    this.donor = cluster.node(3);
  }

  public static void main(String[] args) throws Exception {
    int tables = args.length > 0 ? Integer.parseInt(args[0]) : 4;
    int rows = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
    int repeat = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    Path dir = Files.createTempDirectory("dbjobs-reseed-bench");
    ServerOptions big =
        ServerOptions.defaults()
            .set("innodb-buffer-pool-size", "1G")
            .set("innodb-log-file-size", "256M");
    try (MariaDbCluster cluster = MariaDbCluster.start(DbBackend.local(), "rb", 3, big)) {
      System.out.printf("loading sysbench into rb1: %d tables x %d rows ...%n", tables, rows);
      Sysbench.prepare(cluster.primary(), tables, rows);
      cluster.awaitReplication(Duration.ofMinutes(30));
      System.out.printf(
          "dataset: %d MB (data + indexes), replicated to rb2 and rb3%n",
          Sysbench.megabytes(cluster.primary()));
      new ReseedBench(Proc.repo(), dir, cluster).run(repeat);
    }
  }

  private void run(int repeat) throws Exception {
    Map<String, Integer> agentPorts = new HashMap<>();
    Map<String, Integer> streamPorts = new HashMap<>();
    for (DbServer s : cluster.nodes()) {
      DbUsers.create(s, AGENT_PW, MANAGER_PW, true);
      agentPorts.put(s.name(), FreePorts.next());
      streamPorts.put(s.name(), FreePorts.next());
    }
    Path token = ConfigFiles.secret(dir, "agent.token", "bench-token");
    Path apw = ConfigFiles.secret(dir, "agent.pw", AGENT_PW);
    Path repl = ConfigFiles.secret(dir, "repl.pw", DbBackend.local().replicationPassword());
    Path managerYml =
        ConfigFiles.write(
            dir.resolve("manager.yml"),
            ConfigFiles.managerYaml(
                "rb",
                cluster.nodes(),
                ConfigFiles.secret(dir, "manager.pw", MANAGER_PW),
                dir.resolve("catalog"),
                agentPorts,
                streamPorts,
                token,
                "receiver: {bind: 127.0.0.1, port: 0, advertise: 127.0.0.1}\n"));
    List<AgentProcess> agents = new ArrayList<>();
    try {
      for (DbServer s : cluster.nodes()) {
        String extra =
            "http: {port: "
                + agentPorts.get(s.name())
                + ", token: {file: "
                + token
                + "}}\nstream: {port: "
                + streamPorts.get(s.name())
                + "}\nreseed: {replicationPassword: {file: "
                + repl
                + "}}\n"
                + ConfigFiles.serviceYaml(s);
        Path yml =
            ConfigFiles.write(
                dir.resolve("agent-" + s.name() + ".yml"),
                ConfigFiles.agentYaml(s, apw, dir.resolve("work-" + s.name()), extra));
        agents.add(AgentProcess.start(repo, yml, dir.resolve("agent-" + s.name() + ".log")));
      }
      measure(new ManagerCli(repo, managerYml, dir), repeat, agents);
    } finally {
      agents.forEach(AgentProcess::close);
    }
  }

  private void measure(ManagerCli cli, int repeat, List<AgentProcess> agents) throws Exception {
    List<Double> gzipPipe = new ArrayList<>();
    List<Double> mydumper = new ArrayList<>();
    List<Double> logical = new ArrayList<>();
    List<Double> logicalJob = new ArrayList<>();
    List<Double> physPipe = new ArrayList<>();
    List<Double> physical = new ArrayList<>();
    List<Double> physicalJob = new ArrayList<>();
    long managerPeak = 0;
    Path joinerCnf = ConfigFiles.adminDefaults(dir, joiner);
    Path primaryCnf = ConfigFiles.adminDefaults(dir, primary);
    Path donorCnf = ConfigFiles.adminDefaults(dir, donor);
    cli.run("warm-up", "nodes"); // first contact creates every node's jobs table
    for (int i = 1; i <= repeat; i++) {
      dropJoinerData();
      gzipPipe.add(
          Pipeline.socat(
              "mariadb-dump --defaults-file=" + primaryCnf + DUMP_OPTIONS + " | gzip",
              "gunzip | mariadb --defaults-file="
                  + joinerCnf
                  + " --init-command='SET SESSION sql_log_bin=0'"));
      assertSameData("mariadb-dump|gzip|socat");
      report(i, "mariadb-dump | gzip | socat -> socat | gunzip | mariadb", gzipPipe);

      breakJoiner();
      ManagerCli.Run lm =
          cli.run(
              "reseed-logicalmaster-" + i,
              "reseed",
              "--node",
              joiner.name(),
              "--method",
              "logicalmaster");
      logical.add(lm.seconds());
      logicalJob.add(lm.jobSeconds());
      managerPeak = Math.max(managerPeak, lm.peakRssKib());
      assertSameData("dbjobs logicalmaster");
      report(i, "dbjobs reseed --method logicalmaster (command)", logical);
      System.out.println("  " + lm.breakdown());

      dropJoinerData();
      mydumper.add(mydumperMyloader(primaryCnf, joinerCnf, i));
      assertSameData("mydumper+myloader");
      report(i, "mydumper -t 2 then myloader -t 2", mydumper);

      breakJoiner();
      physPipe.add(physicalPipeline(donorCnf, i));
      assertSameData("mariadb-backup|socat|mbstream");
      report(i, "mariadb-backup | socat | mbstream, prepare, swap, start, replicate", physPipe);

      breakJoiner();
      ManagerCli.Run pd =
          cli.run(
              "reseed-physicaldonor-" + i,
              "reseed",
              "--node",
              joiner.name(),
              "--method",
              "physicaldonor",
              "--donor",
              donor.name());
      physical.add(pd.seconds());
      physicalJob.add(pd.jobSeconds());
      managerPeak = Math.max(managerPeak, pd.peakRssKib());
      assertSameData("dbjobs physicaldonor");
      report(i, "dbjobs reseed --method physicaldonor (command)", physical);
      System.out.println("  " + pd.breakdown());
    }
    double gz = Stats.median(gzipPipe);
    double my = Stats.median(mydumper);
    double lc = Stats.median(logical);
    double lj = Stats.median(logicalJob);
    double pp = Stats.median(physPipe);
    double pc = Stats.median(physical);
    double pj = Stats.median(physicalJob);
    RatioTable.header();
    RatioTable.faster(
        "logicalmaster reseed",
        lc,
        lj,
        "dump\\|gzip\\|socat → socat\\|gunzip\\|mariadb",
        gz,
        "at least 2.4x faster");
    RatioTable.faster(
        "logicalmaster reseed", lc, lj, "mydumper -t 2 + myloader -t 2", my, "no slower (≥1.0x)");
    RatioTable.time(
        "physicaldonor reseed, until replicating",
        pc,
        pj,
        "backup\\|socat\\|mbstream + prepare + restart",
        pp,
        "at most 1.5x");
    System.out.printf(
        Locale.ROOT,
        "peak RSS at -Xmx128m: agents %s MiB, manager (dbjobs reseed) %d MiB%n",
        agents.stream().map(a -> String.valueOf(a.peakRssKib() >> 10)).toList(),
        managerPeak >> 10);
  }

  /**
   * Before a plain-tool logical load: replication stopped, the joiner's copy dropped (their dumps
   * would drop each table anyway), so the check after the load proves the load.
   */
  private void dropJoinerData() {
    joiner.execute("STOP SLAVE", "SET SESSION sql_log_bin=0", "DROP DATABASE sbtest");
  }

  /**
   * Before a physical baseline or a dbjobs reseed: the joiner as a broken replica, replication
   * stopped and rows of its own deleted, so the check after the reseed proves the new data.
   */
  private void breakJoiner() {
    joiner.execute(
        "STOP SLAVE", "SET SESSION sql_log_bin=0", "DELETE FROM sbtest.sbtest1 WHERE id % 100 = 0");
  }

  /** mydumper from the primary into a folder, then myloader into the joiner (binlog off). */
  private double mydumperMyloader(Path primaryCnf, Path joinerCnf, int run) {
    Path out = dir.resolve("mydumper-" + run);
    return Pipeline.bash(
        "mydumper --defaults-file="
            + withGroup(primaryCnf, "mydumper")
            + " -t 2 --rows=100000 -G -E -R -B sbtest -o "
            + out
            + "\nmyloader --defaults-file="
            + withGroup(joinerCnf, "myloader")
            + " -t 2 -o -d "
            + out
            + "\nrm -rf "
            + out);
  }

  /**
   * What an operator does by hand for a physical reseed: stream, extract, prepare, swap datadirs,
   * start, and point replication at the backup's GTID; timed until both replication threads run.
   */
  private double physicalPipeline(Path donorCnf, int run) {
    Path staging = joiner.baseDir().resolve("staging-" + run);
    Path data = joiner.dataDir();
    Path old = joiner.baseDir().resolve("data.old-" + run);
    long t0 = System.nanoTime();
    Pipeline.socat(
        "mariadb-backup --defaults-file="
            + donorCnf
            + " --backup --stream=xbstream --target-dir="
            + dir.resolve("xb-" + run)
            + " 2>/dev/null",
        "{ mkdir -p " + staging + " && mbstream -x -C " + staging + "; }");
    Pipeline.bash(
        "mariadb-backup --prepare --target-dir="
            + staging
            + " 2>/dev/null\n"
            + joiner.controlScript()
            + " stop\nmv "
            + data
            + " "
            + old
            + "\nmv "
            + staging
            + " "
            + data
            + "\n"
            + joiner.controlScript()
            + " start");
    joiner.awaitAnswering(Duration.ofMinutes(5));
    String gtid;
    try {
      String[] info = Files.readString(data.resolve("xtrabackup_binlog_info")).trim().split("\\s+");
      gtid = info[info.length - 1];
    } catch (java.io.IOException e) {
      throw new IllegalStateException("no xtrabackup_binlog_info in the prepared backup", e);
    }
    joiner.execute("RESET SLAVE ALL", "SET GLOBAL gtid_slave_pos='" + gtid + "'");
    cluster.replicate(joiner, primary);
    Waits.until(
        "both replication threads of the joiner running",
        Duration.ofMinutes(5),
        () -> MariaDbCluster.replicationStatus(joiner).startsWith("io=Yes sql=Yes"));
    double s = (System.nanoTime() - t0) / 1e9;
    Pipeline.bash("rm -rf " + old);
    return s;
  }

  /** A copy of a [client] option file that the named program also reads ([mydumper] etc.). */
  private static Path withGroup(Path cnf, String group) {
    try {
      Path f = cnf.resolveSibling(cnf.getFileName() + "." + group);
      String text = Files.readString(cnf);
      Files.writeString(f, text + text.replace("[client]", "[" + group + "]"));
      return f;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * Fails the benchmark unless the joiner's sbtest tables equal the primary's (nothing writes to
   * the primary during the benchmark, so no wait for replication is needed).
   */
  private void assertSameData(String after) {
    Map<String, String> want = TableChecksums.of(primary, "sbtest");
    Map<String, String> got = TableChecksums.of(joiner, "sbtest");
    if (!want.equals(got)) {
      throw new IllegalStateException(
          "after "
              + after
              + " the joiner's tables differ from the primary's: "
              + got
              + " vs "
              + want);
    }
  }

  private static void report(int run, String what, List<Double> times) {
    System.out.printf(
        Locale.ROOT, "run %d: %-70s %.1f s%n", run, what, times.get(times.size() - 1));
  }
}
