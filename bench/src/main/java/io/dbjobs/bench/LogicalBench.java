package io.dbjobs.bench;

import io.dbjobs.testkit.ConfigFiles;
import io.dbjobs.testkit.DbBackend;
import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.DbUsers;
import io.dbjobs.testkit.FreePorts;
import io.dbjobs.testkit.MariaDbCluster;
import io.dbjobs.testkit.ServerOptions;
import io.dbjobs.testkit.TableChecksums;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Issue 13's benchmark, in one run on one sysbench dataset on a real primary ({@code rl1}) and two
 * replicas ({@code rl2} the joiner, {@code rl3} the backed-up replica), real agent jars and the
 * real {@code dbjobs} jar at -Xmx128m:
 *
 * <ul>
 *   <li>{@code dbjobs reseed --method logicalmaster} (a parallel dump of the primary loaded in
 *       parallel as it comes) and {@code dbjobs reseed --method logicalbackup} (from a parallel
 *       backup in the catalog) against {@code mydumper -t 2} then {@code myloader -t 2}, and
 *       against replication-manager's pipeline {@code mariadb-dump | gzip | socat} → {@code socat |
 *       gunzip | mariadb};
 *   <li>{@code dbjobs backup --type logical} into the catalog against {@code mydumper -t 2} into a
 *       folder;
 *   <li>the snapshot lock's wait and hold times, and peak RSS of agents and commands.
 * </ul>
 *
 * The plain-tool loads run with binary logging off, as dbjobs' do. After every load the joiner's
 * tables are checked against the primary's. For dbjobs reseeds the end is "replicating and caught
 * up"; the plain pipelines stop when their data is in place.
 *
 * <p>Runs alternate (plain pipe, logicalmaster, mydumper+myloader, backup, logicalbackup) {@code
 * repeat} times; medians are reported, so a burst of load elsewhere on the machine hits both sides.
 *
 * <p>Usage: LogicalBench [tables=4] [rows=1000000] [repeat=1]
 */
public final class LogicalBench {
  private static final String AGENT_PW = "agent-bench-pw";
  private static final String MANAGER_PW = "manager-bench-pw";
  private static final String DUMP_OPTIONS =
      " --single-transaction --routines --triggers --events --hex-blob --master-data=2 --gtid"
          + " --max-allowed-packet=1G --databases sbtest";
  private static final Pattern HELD = Pattern.compile("was held (\\d+) ms");

  private final Path repo;
  private final Path dir;
  private final MariaDbCluster cluster;
  private final DbServer primary;
  private final DbServer joiner;
  private final DbServer backedUp;

  private LogicalBench(Path repo, Path dir, MariaDbCluster cluster) {
    this.repo = repo;
    this.dir = dir;
    this.cluster = cluster;
    this.primary = cluster.node(1);
    this.joiner = cluster.node(2);
    this.backedUp = cluster.node(3);
  }

  public static void main(String[] args) throws Exception {
    int tables = args.length > 0 ? Integer.parseInt(args[0]) : 4;
    int rows = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
    int repeat = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    Path dir = Files.createTempDirectory("dbjobs-logical-bench");
    ServerOptions big =
        ServerOptions.defaults()
            .set("innodb-buffer-pool-size", "1G")
            .set("innodb-log-file-size", "256M");
    try (MariaDbCluster cluster = MariaDbCluster.start(DbBackend.local(), "rl", 3, big)) {
      System.out.printf("loading sysbench into rl1: %d tables x %d rows ...%n", tables, rows);
      Sysbench.prepare(cluster.primary(), tables, rows);
      // fresh statistics (the dump sizes chunks by them); replicated like any write
      cluster.primary().execute("ANALYZE TABLE " + String.join(", ", sbtables(tables)));
      cluster.awaitReplication(java.time.Duration.ofMinutes(30));
      System.out.printf(
          "dataset: %d tables x %d rows, %d MB (data + indexes), replicated to rl2 and rl3%n",
          tables, rows, Sysbench.megabytes(cluster.primary()));
      System.out.println(
          "load average before the run: " + Files.readString(Path.of("/proc/loadavg")).trim());
      new LogicalBench(Proc.repo(), dir, cluster).run(repeat);
      System.out.println(
          "load average after the run: " + Files.readString(Path.of("/proc/loadavg")).trim());
    }
  }

  private static List<String> sbtables(int n) {
    List<String> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      out.add("sbtest.sbtest" + i);
    }
    return out;
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
                "rl",
                cluster.nodes(),
                ConfigFiles.secret(dir, "manager.pw", MANAGER_PW),
                dir.resolve("catalog"),
                agentPorts,
                streamPorts,
                token,
                "receiver: {bind: 127.0.0.1, port: 0, advertise: 127.0.0.1}\n"
                    + "logicalDump: {threads: 2}\n"));
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
                + "}, loadThreads: 2}\n"
                + ConfigFiles.serviceYaml(s);
        Path yml =
            ConfigFiles.write(
                dir.resolve("agent-" + s.name() + ".yml"),
                ConfigFiles.agentYaml(s, apw, dir.resolve("work-" + s.name()), extra));
        agents.add(AgentProcess.start(repo, yml, dir.resolve("agent-" + s.name() + ".log")));
      }
      measure(new ManagerCli(repo, managerYml, dir), agents, repeat);
    } finally {
      agents.forEach(AgentProcess::close);
    }
  }

  /** One round's times, in seconds. */
  private record Round(
      double gzip,
      double mydumper,
      double myloader,
      double lm,
      double lmJob,
      double bk,
      double bkJob,
      double lb,
      double lbJob) {}

  private void measure(ManagerCli cli, List<AgentProcess> agents, int repeat) throws Exception {
    Path joinerCnf = ConfigFiles.adminDefaults(dir, joiner);
    Path primaryCnf = ConfigFiles.adminDefaults(dir, primary);
    cli.run("warm-up", "nodes");
    List<Round> rounds = new ArrayList<>();
    String lmHeld = "?";
    String bkWait = "?";
    String bkHeld = "?";
    String id = null;
    long bkBytes = 0;
    long lmRss = 0;
    long bkRss = 0;
    long lbRss = 0;
    for (int i = 1; i <= repeat; i++) {
      System.out.printf("round %d, load average %s%n", i, loadavg());
      dropJoinerData();
      double gzip =
          Pipeline.socat(
              "mariadb-dump --defaults-file=" + primaryCnf + DUMP_OPTIONS + " | gzip",
              "gunzip | mariadb --defaults-file="
                  + joinerCnf
                  + " --init-command='SET SESSION sql_log_bin=0'");
      assertSameData("mariadb-dump|gzip|socat");
      report("mariadb-dump | gzip | socat -> socat | gunzip | mariadb", gzip);

      breakJoiner();
      ManagerCli.Run lm =
          cli.run(
              "reseed-logicalmaster-" + i,
              "reseed",
              "--node",
              joiner.name(),
              "--method",
              "logicalmaster");
      assertSameData("dbjobs logicalmaster");
      report("dbjobs reseed --method logicalmaster (command)", lm.seconds());
      report("dbjobs reseed --method logicalmaster (job)", lm.jobSeconds());
      lmHeld = held(lm.json().toString());
      lmRss = Math.max(lmRss, lm.peakRssKib());

      dropJoinerData();
      Path out = dir.resolve("mydumper-" + i);
      double mydumper =
          Pipeline.bash(
              "mydumper --defaults-file="
                  + withGroup(primaryCnf, "mydumper")
                  + " -t 2 --rows=100000 -G -E -R -B sbtest -o "
                  + out
                  + "\nsync");
      report("mydumper -t 2 into a folder (+ sync)", mydumper);
      double myloader =
          Pipeline.bash(
              "myloader --defaults-file="
                  + withGroup(joinerCnf, "myloader")
                  + " -t 2 -o -d "
                  + out);
      Pipeline.bash("rm -rf " + out);
      assertSameData("mydumper+myloader");
      report("myloader -t 2", myloader);

      ManagerCli.Run bk =
          cli.run("backup-logical-" + i, "backup", "--node", backedUp.name(), "--type", "logical");
      report("dbjobs backup --type logical into the catalog (command)", bk.seconds());
      report("dbjobs backup --type logical into the catalog (job)", bk.jobSeconds());
      id = bk.json().get("backup").get("id").asText();
      bkBytes = bk.json().get("backup").get("bytes").asLong();
      bkWait = bk.json().get("backup").path("snapshotLockWaitMillis").asText();
      bkHeld = bk.json().get("backup").path("snapshotLockHeldMillis").asText();
      bkRss = Math.max(bkRss, bk.peakRssKib());

      breakJoiner();
      ManagerCli.Run lb =
          cli.run(
              "reseed-logicalbackup-" + i,
              "reseed",
              "--node",
              joiner.name(),
              "--method",
              "logicalbackup",
              "--backup",
              id);
      assertSameData("dbjobs logicalbackup");
      report("dbjobs reseed --method logicalbackup (command)", lb.seconds());
      report("dbjobs reseed --method logicalbackup (job)", lb.jobSeconds());
      lbRss = Math.max(lbRss, lb.peakRssKib());
      rounds.add(
          new Round(
              gzip,
              mydumper,
              myloader,
              lm.seconds(),
              lm.jobSeconds(),
              bk.seconds(),
              bk.jobSeconds(),
              lb.seconds(),
              lb.jobSeconds()));
    }
    double gzip = median(rounds, Round::gzip);
    double mydumper = median(rounds, Round::mydumper);
    double myloader = median(rounds, Round::myloader);
    double lm = median(rounds, Round::lm);
    double lmJob = median(rounds, Round::lmJob);
    double bk = median(rounds, Round::bk);
    double bkJob = median(rounds, Round::bkJob);
    double lb = median(rounds, Round::lb);
    double lbJob = median(rounds, Round::lbJob);
    double myBoth = median(rounds, r -> r.mydumper() + r.myloader());
    System.out.printf("%nmedians of %d round(s)%n", repeat);
    RatioTable.header();
    RatioTable.faster(
        "logicalmaster reseed",
        lm,
        lmJob,
        "mydumper -t 2 + myloader -t 2",
        myBoth,
        "no slower (≥1.0x)");
    RatioTable.faster(
        "logicalmaster reseed",
        lm,
        lmJob,
        "dump\\|gzip\\|socat → socat\\|gunzip\\|mariadb",
        gzip,
        "at least 2.4x faster");
    RatioTable.faster(
        "logicalbackup reseed",
        lb,
        lbJob,
        "mydumper -t 2 + myloader -t 2",
        myBoth,
        "no slower (≥1.0x)");
    RatioTable.faster(
        "logicalbackup reseed", lb, lbJob, "myloader -t 2 alone", myloader, "(for reference)");
    RatioTable.faster(
        "logicalbackup reseed",
        lb,
        lbJob,
        "dump\\|gzip\\|socat → socat\\|gunzip\\|mariadb",
        gzip,
        "at least 2.4x faster");
    RatioTable.faster(
        "logical backup into the catalog",
        bk,
        bkJob,
        "mydumper -t 2 into a folder",
        mydumper,
        "(for reference)");
    System.out.printf(
        Locale.ROOT,
        "%nlast backup %s: %.0f MiB in parts; snapshot lock waited %s ms, held %s ms (backup of"
            + " rl3); held %s ms (logicalmaster of rl1)%n",
        id,
        bkBytes / 1048576.0,
        bkWait,
        bkHeld,
        lmHeld);
    System.out.printf(
        Locale.ROOT,
        "peak RSS at -Xmx128m: agents %s MiB; dbjobs commands: logicalmaster %d MiB, backup %d MiB,"
            + " logicalbackup %d MiB%n",
        agents.stream().map(a -> String.valueOf(a.peakRssKib() >> 10)).toList(),
        lmRss >> 10,
        bkRss >> 10,
        lbRss >> 10);
  }

  private static double median(List<Round> rounds, java.util.function.ToDoubleFunction<Round> f) {
    List<Double> v = new ArrayList<>();
    for (Round r : rounds) {
      v.add(f.applyAsDouble(r));
    }
    return Stats.median(v);
  }

  private static String loadavg() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (java.io.IOException e) {
      return "?";
    }
  }

  private static String held(String json) {
    Matcher m = HELD.matcher(json);
    return m.find() ? m.group(1) : "?";
  }

  /** Before a plain-tool load: replication stopped, the joiner's copy dropped. */
  private void dropJoinerData() {
    joiner.execute("STOP SLAVE", "SET SESSION sql_log_bin=0", "DROP DATABASE IF EXISTS sbtest");
  }

  /** Before a dbjobs reseed: a broken replica, replication stopped, rows of its own deleted. */
  private void breakJoiner() {
    joiner.execute(
        "STOP SLAVE",
        "SET SESSION sql_log_bin=0",
        "CREATE DATABASE IF NOT EXISTS sbtest",
        "CREATE TABLE IF NOT EXISTS sbtest.broken (id INT PRIMARY KEY)");
  }

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

  private static void report(String what, double seconds) {
    System.out.printf(Locale.ROOT, "%-70s %.1f s%n", what, seconds);
  }
}
