package io.dbjobs.bench;

import io.dbjobs.testkit.ConfigFiles;
import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.LocalMariaDb;
import io.dbjobs.testkit.ServerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The measurements behind the parallel load's choices (issue 13), on one server and one sysbench
 * table of {@code rows} rows (a copy as a second table for the parallel case), each variant {@code
 * repeat} times, interleaved, medians reported:
 *
 * <ul>
 *   <li>LOAD DATA LOCAL INFILE vs multi-row INSERT (mariadb-dump's extended inserts);
 *   <li>unique and foreign key checks on vs off (InnoDB's bulk load of an empty table);
 *   <li>a table's chunks as one statement vs one statement per chunk (autocommit, or one
 *       transaction);
 *   <li>secondary indexes during the load vs added after the rows;
 *   <li>two tables by two sessions at once vs one after the other.
 * </ul>
 *
 * Every load runs through the {@code mariadb} client with binary logging off.
 *
 * <p>Usage: LoadChoicesBench [rows=1000000] [repeat=3]
 */
public final class LoadChoicesBench {
  private static final String CHECKS_OFF =
      "SET SESSION sql_log_bin=0, unique_checks=0, foreign_key_checks=0;";
  private static final String CHECKS_ON = "SET SESSION sql_log_bin=0;";

  private final DbServer db;
  private final Path cnf;
  private final Path files;

  private LoadChoicesBench(DbServer db, Path cnf, Path files) {
    this.db = db;
    this.cnf = cnf;
    this.files = files;
  }

  public static void main(String[] args) throws Exception {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int repeat = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Path dir = Files.createTempDirectory("dbjobs-load-choices");
    Path files = Files.createDirectories(dir.resolve("files"));
    ServerOptions opts =
        ServerOptions.defaults()
            .set("innodb-buffer-pool-size", "1G")
            .set("innodb-log-file-size", "256M")
            .set("local-infile", "1")
            .set("secure-file-priv", files.toString());
    try (LocalMariaDb db = LocalMariaDb.start("lc1", 71, opts)) {
      Sysbench.prepare(db, 1, rows);
      System.out.println(
          "load average before: " + Files.readString(Path.of("/proc/loadavg")).trim());
      new LoadChoicesBench(db, ConfigFiles.adminDefaults(dir, db), files).run(repeat);
      System.out.println(
          "load average after: " + Files.readString(Path.of("/proc/loadavg")).trim());
    }
  }

  private String client() {
    return "mariadb --defaults-file=" + cnf + " --local-infile=1 ";
  }

  private void run(int repeat) {
    Path tsv = files.resolve("t.tsv");
    db.execute(
        "SELECT * FROM sbtest.sbtest1 INTO OUTFILE '" + tsv + "'",
        "CREATE DATABASE l",
        "CREATE TABLE l.t LIKE sbtest.sbtest1",
        "CREATE TABLE l.t2 LIKE sbtest.sbtest1");
    Path sql = files.resolve("t.sql");
    Pipeline.bash(
        "mariadb-dump --defaults-file="
            + cnf
            + " --no-create-info --skip-add-locks --skip-disable-keys --single-transaction"
            + " sbtest sbtest1 | sed 's/INSERT INTO `sbtest1`/INSERT INTO l.t/' > "
            + sql);
    Pipeline.bash("cd " + files + " && split -n l/4 t.tsv chunk.");
    String one = load("l.t", tsv);
    StringBuilder chunks = new StringBuilder();
    for (String c : List.of("aa", "ab", "ac", "ad")) {
      chunks.append(load("l.t", files.resolve("chunk." + c)));
    }
    Map<String, List<Double>> t = new LinkedHashMap<>();
    for (int i = 0; i < repeat; i++) {
      time(t, "LOAD DATA, one statement, checks on", "l.t", CHECKS_ON + one);
      time(t, "LOAD DATA, one statement, unique/FK checks off (dbjobs)", "l.t", CHECKS_OFF + one);
      time(t, "LOAD DATA, 4 chunk statements, autocommit, checks off", "l.t", CHECKS_OFF + chunks);
      time(
          t,
          "LOAD DATA, 4 chunk statements in one transaction, checks off",
          "l.t",
          CHECKS_OFF + "BEGIN;" + chunks + "COMMIT;");
      db.execute("TRUNCATE l.t");
      t.computeIfAbsent("multi-row INSERT (mariadb-dump), checks off", k -> new ArrayList<>())
          .add(Pipeline.bash("(echo '" + CHECKS_OFF + "'; cat " + sql + ") | " + client()));
      db.execute(
          "DROP TABLE IF EXISTS l.noidx",
          "CREATE TABLE l.noidx LIKE sbtest.sbtest1",
          "ALTER TABLE l.noidx DROP INDEX k_1");
      t.computeIfAbsent(
              "LOAD DATA without the secondary index, then ADD INDEX", k -> new ArrayList<>())
          .add(sh(CHECKS_OFF + load("l.noidx", tsv) + "ALTER TABLE l.noidx ADD INDEX k_1 (k);"));
      db.execute("TRUNCATE l.t", "TRUNCATE l.t2");
      t.computeIfAbsent("two tables one after the other, one session", k -> new ArrayList<>())
          .add(sh(CHECKS_OFF + one + load("l.t2", tsv)));
      db.execute("TRUNCATE l.t", "TRUNCATE l.t2");
      t.computeIfAbsent("two tables at once, one session each", k -> new ArrayList<>())
          .add(
              Pipeline.bash(
                  client()
                      + "-e \""
                      + CHECKS_OFF
                      + one
                      + "\" & "
                      + client()
                      + "-e \""
                      + CHECKS_OFF
                      + load("l.t2", tsv)
                      + "\"; wait"));
    }
    System.out.println();
    System.out.println("| variant | median | runs |");
    System.out.println("| --- | --- | --- |");
    for (Map.Entry<String, List<Double>> e : t.entrySet()) {
      System.out.printf(
          Locale.ROOT,
          "| %s | %.1f s | %s |%n",
          e.getKey(),
          Stats.median(e.getValue()),
          e.getValue().stream().map(v -> String.format(Locale.ROOT, "%.1f", v)).toList());
    }
  }

  private static String load(String table, Path file) {
    return "LOAD DATA LOCAL INFILE '" + file + "' INTO TABLE " + table + " CHARACTER SET binary;";
  }

  private void time(Map<String, List<Double>> t, String name, String table, String sqlText) {
    db.execute("TRUNCATE " + table);
    t.computeIfAbsent(name, k -> new ArrayList<>()).add(sh(sqlText));
  }

  private double sh(String sqlText) {
    return Pipeline.bash(client() + "-e \"" + sqlText + "\"");
  }
}
