package io.dbjobs.it;

import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.DbUsers;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A database account that is not dbjobs, reading and writing a node's {@code
 * replication_manager_schema.jobs} the way issue 9's attacker did: with nothing but its grants on
 * that schema, and no key file. Either an ordinary account (its writes go to the binary log and
 * replicate, like any application's) or one holding the agent's database password (it writes with
 * {@code sql_log_bin=0}, as dbjobs itself does, and may write on read-only replicas).
 */
final class TableAttacker {
  static final String JOBS = "replication_manager_schema.jobs";

  /** The columns a copy of a row carries: everything the seal covers, and who submitted it. */
  static final List<String> SEALED =
      List.of(
          "id",
          "task",
          "idempotency_key",
          "params",
          "server",
          "port",
          "node",
          "seal",
          "secret_box",
          "peer_name",
          "submitted_by");

  private final DbServer node;
  private final String user;
  private final String password;
  private final boolean binlog;

  private TableAttacker(DbServer node, String user, String password, boolean binlog) {
    this.node = node;
    this.user = user;
    this.password = password;
    this.binlog = binlog;
  }

  /**
   * Creates, on {@code primary} and binary-logged (so every replica gets it too), an ordinary
   * account with SELECT, INSERT, UPDATE and DELETE on the jobs schema and nothing else.
   */
  static TableAttacker ordinaryAccount(DbServer primary, String user) {
    String password = "pw-" + UUID.randomUUID();
    primary.execute(
        "CREATE USER '" + user + "'@'%' IDENTIFIED BY '" + password + "'",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON replication_manager_schema.* TO '"
            + user
            + "'@'%'");
    return new TableAttacker(primary, user, password, true);
  }

  /**
   * Someone who learnt the agent's database password (not its key file), on {@code node}: writes
   * with {@code sql_log_bin=0} and passes {@code read_only}, as the agent does.
   */
  static TableAttacker withAgentsPassword(DbServer node) {
    return new TableAttacker(node, DbUsers.AGENT, FleetFixture.AGENT_PASSWORD, false);
  }

  /** The same account on another node. */
  TableAttacker on(DbServer other) {
    return new TableAttacker(other, user, password, binlog);
  }

  DbServer node() {
    return node;
  }

  /** Every column of the rows matching {@code where} (SQL after WHERE), in id order. */
  List<Map<String, String>> rows(String where) {
    try (Connection c = connect();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT * FROM " + JOBS + " WHERE " + where + " ORDER BY id")) {
      ResultSetMetaData md = rs.getMetaData();
      List<Map<String, String>> out = new ArrayList<>();
      while (rs.next()) {
        Map<String, String> row = new LinkedHashMap<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
          row.put(md.getColumnLabel(i), rs.getString(i));
        }
        out.add(row);
      }
      return out;
    } catch (SQLException e) {
      throw failed("read rows where " + where, e);
    }
  }

  /** Every column of row {@code id}. */
  Map<String, String> row(long id) {
    List<Map<String, String>> r = rows("id=" + id);
    if (r.isEmpty()) {
      throw new AssertionError("no row " + id + " on " + node.name());
    }
    return r.get(0);
  }

  /** Inserts a row with these columns (null values stay NULL); the rest take their defaults. */
  void insert(Map<String, String> columns) {
    String names = String.join(", ", columns.keySet().stream().map(k -> "`" + k + "`").toList());
    String marks = String.join(", ", columns.keySet().stream().map(k -> "?").toList());
    write(
        "INSERT INTO " + JOBS + " (" + names + ") VALUES (" + marks + ")",
        columns.values().toArray());
  }

  /** A copy of {@code row}: its {@link #SEALED} columns, queued again. */
  static Map<String, String> queuedCopy(Map<String, String> row) {
    Map<String, String> copy = new LinkedHashMap<>();
    SEALED.forEach(k -> copy.put(k, row.get(k)));
    return copy;
  }

  /**
   * Runs {@code UPDATE jobs SET <assignments> WHERE id=<id>} with {@code values} bound in order.
   */
  void update(long id, String assignments, Object... values) {
    Object[] all = new Object[values.length + 1];
    System.arraycopy(values, 0, all, 0, values.length);
    all[values.length] = id;
    int n = write("UPDATE " + JOBS + " SET " + assignments + " WHERE id=?", all);
    if (n != 1) {
      throw new AssertionError("the update of row " + id + " on " + node.name() + " hit " + n);
    }
  }

  /** Puts a finished row back to queued, its secret box as {@code secretBox}. */
  void requeue(long id, String secretBox) {
    update(
        id,
        "state=0, done=0, start=NULL, end=NULL, lease_owner=NULL, lease_expires=NULL,"
            + " error_code=NULL, result=NULL, phase=NULL, bytes_done=0, digest=NULL, attempts=0,"
            + " secret_box=?",
        secretBox);
  }

  void delete(long id) {
    write("DELETE FROM " + JOBS + " WHERE id=?", id);
  }

  private int write(String sql, Object... values) {
    try (Connection c = connect()) {
      if (!binlog) {
        try (Statement s = c.createStatement()) {
          s.execute("SET SESSION sql_log_bin=0");
        }
      }
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        for (int i = 0; i < values.length; i++) {
          ps.setObject(i + 1, values[i]);
        }
        return ps.executeUpdate();
      }
    } catch (SQLException e) {
      throw failed(sql, e);
    }
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection(node.jdbcUrl(), user, password);
  }

  private IllegalStateException failed(String what, SQLException e) {
    return new IllegalStateException(
        user + " on " + node.name() + ": " + e.getMessage() + " (" + what + ")", e);
  }
}
