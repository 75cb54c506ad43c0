package io.dbjobs.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Creates dbjobs' two database users on a test server and grants them exactly what the project's
 * {@code sql/grants.sql} grants, so tests prove those grants are enough. Users are made for host
 * {@code 127.0.0.1} (the fixture's loopback) instead of {@code localhost}.
 */
public final class DbUsers {
  public static final String AGENT = "dbjobs_agent";
  public static final String MANAGER = "dbjobs_manager";

  private DbUsers() {}

  /** The project's grants file, found from the module folder the test runs in. */
  public static Path grantsFile() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path f = p.resolve("sql/grants.sql");
      if (Files.exists(f)) {
        return f;
      }
    }
    throw new IllegalStateException(
        "sql/grants.sql not found above " + Path.of("").toAbsolutePath());
  }

  /** The database the test suites run optimize on: it gets the per-database optimize grant. */
  public static final List<String> OPTIMIZED_DATABASES = List.of("shop", "app");

  /** The prefix of the reseedable-nodes grant in {@code sql/grants.sql}. */
  static final String RESEEDABLE = "-- [reseedable nodes only] GRANT ";

  /** The prefix of the per-database optimize grant template in {@code sql/grants.sql}. */
  static final String PER_OPTIMIZED_DATABASE = "-- [per database to optimize] GRANT ";

  /**
   * Creates both users on this node only (not binary-logged) with these passwords and applies every
   * GRANT of {@code sql/grants.sql}: the per-database optimize grant for {@link
   * #OPTIMIZED_DATABASES}, the reseedable-nodes grant too when {@code reseedable}.
   */
  public static void create(
      DbServer server, String agentPassword, String managerPassword, boolean reseedable) {
    create(server, agentPassword, managerPassword, reseedable, OPTIMIZED_DATABASES);
  }

  /**
   * As {@link #create(DbServer, String, String, boolean)}, optimize granted on {@code optimized}.
   */
  public static void create(
      DbServer server,
      String agentPassword,
      String managerPassword,
      boolean reseedable,
      List<String> optimized) {
    List<String> sql = new ArrayList<>();
    // per node, like the jobs table: not binary-logged, so replicas can get them too
    sql.add("SET SESSION sql_log_bin=0");
    sql.add(
        "CREATE OR REPLACE USER '" + AGENT + "'@'127.0.0.1' IDENTIFIED BY '" + agentPassword + "'");
    sql.add("CREATE OR REPLACE USER '" + MANAGER + "'@'%' IDENTIFIED BY '" + managerPassword + "'");
    sql.addAll(grants(reseedable, optimized));
    server.execute(sql.toArray(String[]::new));
  }

  static List<String> grants(boolean reseedable, List<String> optimized) {
    List<String> lines;
    try {
      lines = Files.readAllLines(grantsFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> out = new ArrayList<>();
    boolean reseedGrant = false;
    boolean optimizeGrant = false;
    for (String line : lines) {
      String l = line.strip();
      List<String> statements = new ArrayList<>();
      if (l.startsWith(RESEEDABLE)) {
        reseedGrant = true;
        if (reseedable) {
          statements.add("GRANT " + l.substring(RESEEDABLE.length()));
        }
      } else if (l.startsWith(PER_OPTIMIZED_DATABASE)) {
        optimizeGrant = true;
        String template = "GRANT " + l.substring(PER_OPTIMIZED_DATABASE.length());
        for (String db : optimized) {
          statements.add(template.replace("<database>", db.replace("`", "``")));
        }
      } else if (l.startsWith("GRANT ")) {
        statements.add(l);
      }
      for (String g : statements) {
        out.add(g.replace("'localhost'", "'127.0.0.1'").replaceAll(";$", ""));
      }
    }
    if (out.isEmpty() || !reseedGrant || !optimizeGrant) {
      throw new IllegalStateException(
          grantsFile()
              + " lacks a GRANT, its '"
              + RESEEDABLE
              + "...' line or its '"
              + PER_OPTIMIZED_DATABASE
              + "...' line");
    }
    return out;
  }
}
