package io.dbjobs.bench;

import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.Shell;
import java.util.List;

/** Loads the standard sysbench OLTP dataset ({@code sbtest}) into a server. */
final class Sysbench {
  private Sysbench() {}

  static void prepare(DbServer s, int tables, int rows) {
    s.execute("CREATE DATABASE IF NOT EXISTS sbtest");
    Shell.Result r =
        Shell.run(
            3600,
            List.of(
                "sysbench",
                "oltp_read_write",
                "--db-driver=mysql",
                "--mysql-host=127.0.0.1",
                "--mysql-port=" + s.port(),
                "--mysql-user=" + s.adminUser(),
                "--mysql-password=" + s.adminPassword(),
                "--mysql-db=sbtest",
                "--tables=" + tables,
                "--table-size=" + rows,
                "--threads=2",
                "prepare"));
    if (r.exit() != 0) {
      throw new IllegalStateException("sysbench prepare failed:\n" + r.output());
    }
  }

  static long megabytes(DbServer s) {
    return Long.parseLong(
        s.value(
            "SELECT ROUND(SUM(DATA_LENGTH+INDEX_LENGTH)/1048576) FROM information_schema.TABLES WHERE TABLE_SCHEMA='sbtest'"));
  }
}
