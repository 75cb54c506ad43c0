package io.dbjobs.bench;

import io.dbjobs.testkit.ConfigFiles;
import io.dbjobs.testkit.DbBackend;
import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.DbUsers;
import io.dbjobs.testkit.FreePorts;
import io.dbjobs.testkit.ServerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Issue 4's benchmark, in one run on one sysbench dataset (~1 GB):
 *
 * <ul>
 *   <li>physical: {@code dbjobs backup --type physical} (mariadb-backup through the agent, the
 *       authenticated stream with SHA-256 on both ends, into the catalog with fsync and manifest)
 *       vs {@code mariadb-backup --stream=xbstream | socat} into a file;
 *   <li>logical: {@code dbjobs backup --type logical} (mariadb-dump, zstd) vs {@code mariadb-dump |
 *       gzip} into a file.
 * </ul>
 *
 * The agent and the manager are the real jars at -Xmx128m; their peak RSS (VmHWM) is reported. Runs
 * alternate dbjobs and baseline, {@code repeat} times each; medians are reported. Each dbjobs
 * command is also broken down ({@link ManagerCli.Run#breakdown()}): JVM start, the steps before its
 * job, the job, the steps after the job's end, JVM exit; and {@code dbjobs --version} is timed as
 * the JVM's own start and exit, for the goal "command within 1 s of job plus JVM".
 *
 * <p>Usage: StreamBench [tables=4] [rows=1000000] [repeat=3]
 */
public final class StreamBench {
  public static void main(String[] args) throws Exception {
    int tables = args.length > 0 ? Integer.parseInt(args[0]) : 4;
    int rows = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
    int repeat = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    Path repo = Proc.repo();
    Path dir = Files.createTempDirectory("dbjobs-stream-bench");
    ServerOptions big =
        ServerOptions.defaults()
            .set("innodb-buffer-pool-size", "1G")
            .set("innodb-log-file-size", "256M");
    try (DbServer src = DbBackend.local().start("bsrc", 1, big)) {
      System.out.printf("loading sysbench: %d tables x %d rows ...%n", tables, rows);
      Sysbench.prepare(src, tables, rows);
      DbUsers.create(src, "agent-pw", "manager-pw", false);
      System.out.printf("dataset: %d MB (data + indexes)%n", Sysbench.megabytes(src));

      Path apw = ConfigFiles.secret(dir, "agent.pw", "agent-pw");
      Path mpw = ConfigFiles.secret(dir, "manager.pw", "manager-pw");
      // the agent's endpoint on, as installed: the manager wakes it after each enqueue
      Path token = ConfigFiles.secret(dir, "agent.token", "bench-agent-token-0123456789");
      int agentPort = FreePorts.next();
      Path agentYml =
          ConfigFiles.write(
              dir.resolve("agent.yml"),
              ConfigFiles.agentYaml(
                  src,
                  apw,
                  dir.resolve("work"),
                  "http:\n  port: "
                      + agentPort
                      + "\n  token: {file: "
                      + token
                      + "}\n"
                      + ConfigFiles.serviceYaml(src)));
      Path managerYml =
          ConfigFiles.write(
              dir.resolve("manager.yml"),
              ConfigFiles.managerYaml(
                  "bench",
                  List.of(src),
                  mpw,
                  dir.resolve("catalog"),
                  java.util.Map.of(src.name(), agentPort),
                  token,
                  "receiver: {bind: 127.0.0.1, port: 0, advertise: 127.0.0.1}\n"));
      Path cnf = ConfigFiles.adminDefaults(dir, src);

      try (AgentProcess agent = AgentProcess.start(repo, agentYml, dir.resolve("agent.log"))) {
        run(repo, dir, managerYml, cnf, src, repeat, agent);
      }
    }
  }

  private static void run(
      Path repo, Path dir, Path managerYml, Path cnf, DbServer src, int repeat, AgentProcess agent)
      throws Exception {
    List<Double> dbjobsPhys = new ArrayList<>();
    List<Double> dbjobsPhysJob = new ArrayList<>();
    List<Double> basePhys = new ArrayList<>();
    List<Double> dbjobsLog = new ArrayList<>();
    List<Double> dbjobsLogJob = new ArrayList<>();
    List<Double> baseLog = new ArrayList<>();
    List<Double> jvm = new ArrayList<>();
    List<ManagerCli.Run> physRuns = new ArrayList<>();
    List<ManagerCli.Run> logRuns = new ArrayList<>();
    long managerPeak = 0;
    long physBytes = 0;
    long logBytes = 0;
    long gzBytes = 0;
    ManagerCli cli = new ManagerCli(repo, managerYml, dir);
    for (int i = 1; i <= repeat; i++) {
      jvm.add(cli.jvmStartSeconds("version-" + i));
      // physical
      basePhys.add(
          baseline(
              dir,
              "phys",
              "mariadb-backup --defaults-file="
                  + cnf
                  + " --backup --stream=xbstream --target-dir="
                  + dir.resolve("bk-" + i)));
      ManagerCli.Run p =
          cli.run("backup-physical-" + i, "backup", "--node", "bsrc", "--type", "physical");
      dbjobsPhys.add(p.seconds());
      dbjobsPhysJob.add(p.jobSeconds());
      physRuns.add(p);
      physBytes = p.json().get("backup").get("bytes").asLong();
      managerPeak = Math.max(managerPeak, p.peakRssKib());
      // logical
      Path gz = dir.resolve("dump.sql.gz");
      baseLog.add(
          Pipeline.bash(
              "mariadb-dump --defaults-file="
                  + cnf
                  + " --single-transaction --routines --triggers --events --hex-blob"
                  + " --master-data=2 --gtid --databases sbtest | gzip > "
                  + gz));
      gzBytes = Files.size(gz);
      ManagerCli.Run l =
          cli.run("backup-logical-" + i, "backup", "--node", "bsrc", "--type", "logical");
      dbjobsLog.add(l.seconds());
      dbjobsLogJob.add(l.jobSeconds());
      logRuns.add(l);
      logBytes = l.json().get("backup").get("bytes").asLong();
      managerPeak = Math.max(managerPeak, l.peakRssKib());
      System.out.printf(
          Locale.ROOT,
          "run %d: physical dbjobs %.2fs (job %.2fs) vs mariadb-backup|socat %.2fs; logical dbjobs %.2fs (job %.2fs) vs mariadb-dump|gzip %.2fs%n",
          i,
          p.seconds(),
          p.jobSeconds(),
          basePhys.get(i - 1),
          l.seconds(),
          l.jobSeconds(),
          baseLog.get(i - 1));
      System.out.println("  physical: " + p.breakdown());
      System.out.println("  logical:  " + l.breakdown());
    }
    double bp = Stats.median(basePhys);
    double dp = Stats.median(dbjobsPhys);
    double dpj = Stats.median(dbjobsPhysJob);
    double bl = Stats.median(baseLog);
    double dl = Stats.median(dbjobsLog);
    double dlj = Stats.median(dbjobsLogJob);
    RatioTable.header();
    RatioTable.time(
        "physical backup, " + (physBytes >> 20) + " MiB, SHA-256 on",
        dp,
        dpj,
        "mariadb-backup \\| socat",
        bp,
        "at most 1.15x");
    RatioTable.faster(
        "logical backup, zstd " + (logBytes >> 20) + " MiB vs gzip " + (gzBytes >> 20) + " MiB",
        dl,
        dlj,
        "mariadb-dump \\| gzip",
        bl,
        "at least 3x faster");
    double j = Stats.median(jvm);
    System.out.printf(
        Locale.ROOT,
        "%nJVM start and exit (dbjobs --version): median %.2f s%n"
            + "physical: command - job = %.2f s (median over runs), goal at most JVM + 1 s = %.2f s;"
            + " command / plain pipeline = %.2fx, goal at most 1.15x%n"
            + "logical:  command - job = %.2f s (median over runs)%n",
        j,
        Stats.median(physRuns.stream().map(ManagerCli.Run::overheadSeconds).toList()),
        j + 1,
        dp / bp,
        Stats.median(logRuns.stream().map(ManagerCli.Run::overheadSeconds).toList()));
    System.out.printf(
        Locale.ROOT,
        "peak RSS at -Xmx128m: agent %d MiB, manager (dbjobs backup) %d MiB%n",
        agent.peakRssKib() >> 10,
        managerPeak >> 10);
  }

  /** Seconds of a pipeline into socat on a free port, writing to a file and syncing it. */
  private static double baseline(Path dir, String name, String producer) {
    Path out = dir.resolve(name + ".out");
    return Pipeline.socatInto(producer + " 2>/dev/null", out);
  }
}
