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

  /**
   * Creates both users on this node only (not binary-logged) with these passwords and applies every
   * GRANT of {@code sql/grants.sql} (the commented-out admin grant for reseeds too when {@code
   * reseedable}).
   */
  public static void create(
      DbServer server, String agentPassword, String managerPassword, boolean reseedable) {
    List<String> sql = new ArrayList<>();
    // per node, like the jobs table: not binary-logged, so replicas can get them too
    sql.add("SET SESSION sql_log_bin=0");
    sql.add(
        "CREATE OR REPLACE USER '" + AGENT + "'@'127.0.0.1' IDENTIFIED BY '" + agentPassword + "'");
    sql.add("CREATE OR REPLACE USER '" + MANAGER + "'@'%' IDENTIFIED BY '" + managerPassword + "'");
    sql.addAll(grants(reseedable));
    server.execute(sql.toArray(String[]::new));
  }

  static List<String> grants(boolean reseedable) {
    List<String> lines;
    try {
      lines = Files.readAllLines(grantsFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> out = new ArrayList<>();
    for (String line : lines) {
      String l = line.strip();
      if (reseedable && l.startsWith("-- GRANT ALL PRIVILEGES")) {
        l = l.substring(3);
      }
      if (l.startsWith("GRANT ")) {
        out.add(l.replace("'localhost'", "'127.0.0.1'").replaceAll(";$", ""));
      }
    }
    if (out.isEmpty()) {
      throw new IllegalStateException("no GRANT statement in " + grantsFile());
    }
    return out;
  }
}
