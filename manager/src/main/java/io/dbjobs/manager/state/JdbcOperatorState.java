package io.dbjobs.manager.state;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.db.SqlErrors;
import io.dbjobs.manager.config.ClusterPolicy;
import io.dbjobs.manager.config.SchedulerConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The operator state in a table of the clustered scheduler store's database ({@code
 * scheduler.store: jdbc}), which every manager of the setup already shares: a shun or a policy set
 * through one manager is what all of them read next. One short connection per call; the table is
 * created on first use when {@code scheduler.jdbc.createTables} allows it.
 */
public final class JdbcOperatorState implements OperatorState {
  public static final String TABLE = "dbjobs_operator_state";

  /** The table, for {@code dbjobs serve --print-scheduler-ddl}. */
  public static final String DDL =
      "CREATE TABLE IF NOT EXISTS "
          + TABLE
          + " (kind VARCHAR(16) NOT NULL, name VARCHAR(64) NOT NULL,"
          + " value VARCHAR(32) NOT NULL DEFAULT '', reason VARCHAR(500) NOT NULL DEFAULT '',"
          + " set_by VARCHAR(255) NOT NULL DEFAULT '', set_at_ms BIGINT NOT NULL,"
          + " PRIMARY KEY (kind, name)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";

  private static final String SHUN = "shun";
  private static final String POLICY = "policy";

  private final SchedulerConfig.JdbcStore store;
  private final Duration timeout;
  private final Clock clock;
  private volatile boolean tableChecked;

  public JdbcOperatorState(SchedulerConfig.JdbcStore store, Duration timeout, Clock clock) {
    this.store = store;
    this.timeout = timeout;
    this.clock = clock;
  }

  @Override
  public String where() {
    return "table " + TABLE + " of the scheduler store " + store.user() + "@" + store.url();
  }

  @Override
  public Map<String, Shun> shuns() {
    Map<String, Shun> out = new TreeMap<>();
    for (Row r : rows(SHUN)) {
      out.put(r.name(), new Shun(r.name(), r.reason(), r.by(), r.at()));
    }
    return out;
  }

  @Override
  public Shun shun(String node, String reason, String by) {
    Shun s = new Shun(node, OperatorState.cleanReason(reason), by, clock.instant());
    upsert(SHUN, node, "", s.reason(), by, s.since());
    return s;
  }

  @Override
  public boolean welcome(String node) {
    return delete(SHUN, node);
  }

  @Override
  public Map<String, PolicySetting> policies() {
    Map<String, PolicySetting> out = new TreeMap<>();
    for (Row r : rows(POLICY)) {
      out.put(
          r.name(),
          new PolicySetting(r.name(), ClusterPolicy.parse(r.value()), r.reason(), r.by(), r.at()));
    }
    return out;
  }

  @Override
  public PolicySetting setPolicy(String cluster, ClusterPolicy policy, String reason, String by) {
    PolicySetting p =
        new PolicySetting(cluster, policy, OperatorState.cleanReason(reason), by, clock.instant());
    upsert(POLICY, cluster, policy.label(), p.reason(), by, p.since());
    return p;
  }

  @Override
  public boolean clearPolicy(String cluster) {
    return delete(POLICY, cluster);
  }

  private record Row(String name, String value, String reason, String by, Instant at) {}

  private java.util.List<Row> rows(String kind) {
    try (Connection c = connect();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT name, value, reason, set_by, set_at_ms FROM "
                    + TABLE
                    + " WHERE kind=? ORDER BY name")) {
      ps.setString(1, kind);
      java.util.List<Row> out = new java.util.ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new Row(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getString(4),
                  Instant.ofEpochMilli(rs.getLong(5))));
        }
      }
      return out;
    } catch (SQLException e) {
      throw failure("read", e);
    }
  }

  private void upsert(
      String kind, String name, String value, String reason, String by, Instant at) {
    try (Connection c = connect();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO "
                    + TABLE
                    + " (kind, name, value, reason, set_by, set_at_ms) VALUES (?, ?, ?, ?, ?, ?)"
                    + " ON DUPLICATE KEY UPDATE value=VALUES(value), reason=VALUES(reason),"
                    + " set_by=VALUES(set_by), set_at_ms=VALUES(set_at_ms)")) {
      ps.setString(1, kind);
      ps.setString(2, name);
      ps.setString(3, value);
      ps.setString(4, reason);
      ps.setString(5, by.length() > 255 ? by.substring(0, 255) : by);
      ps.setLong(6, at.toEpochMilli());
      ps.executeUpdate();
    } catch (SQLException e) {
      throw failure("write", e);
    }
  }

  private boolean delete(String kind, String name) {
    try (Connection c = connect();
        PreparedStatement ps =
            c.prepareStatement("DELETE FROM " + TABLE + " WHERE kind=? AND name=?")) {
      ps.setString(1, kind);
      ps.setString(2, name);
      return ps.executeUpdate() > 0;
    } catch (SQLException e) {
      throw failure("write", e);
    }
  }

  private Connection connect() throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", store.user());
    if (store.password() != null) {
      p.setProperty("password", store.password().reveal());
    }
    p.setProperty("connectTimeout", Long.toString(Math.max(250, timeout.toMillis())));
    p.setProperty("socketTimeout", Long.toString(Math.max(30_000, timeout.toMillis() * 6)));
    p.setProperty("allowLoadLocalInfile", "false");
    Connection c = DriverManager.getConnection(store.url(), p);
    if (!tableChecked) {
      try {
        ensureTable(c);
      } catch (SQLException e) {
        c.close();
        throw e;
      }
      tableChecked = true;
    }
    return c;
  }

  private void ensureTable(Connection c) throws SQLException {
    if (store.createTables()) {
      try (Statement s = c.createStatement()) {
        s.execute(DDL);
      }
      return;
    }
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT 1 FROM " + TABLE + " LIMIT 1")) {
      rs.next();
    }
  }

  private DbJobsException failure(String what, SQLException e) {
    return new DbJobsException(
        SqlErrors.classify(e),
        "cannot "
            + what
            + " the operator state in "
            + where()
            + ": "
            + SqlErrors.message(e)
            + (SqlErrors.isMissingTable(e)
                ? " (create the table: dbjobs serve --print-scheduler-ddl | mariadb <database>)"
                : ""),
        e);
  }
}
