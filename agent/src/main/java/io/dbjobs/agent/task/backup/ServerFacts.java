package io.dbjobs.agent.task.backup;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.backup.ServerFlavor;
import io.dbjobs.common.db.SqlErrors;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * What a sending task needs to know about its node's server: its version and flavor (which decide
 * the tool), as {@code @@version} and {@code @@version_comment} say.
 */
public record ServerFacts(String version, String versionComment, ServerFlavor flavor) {

  /**
   * Asks the server.
   *
   * @throws DbJobsException the classified SQL error, naming what was asked
   */
  public static ServerFacts read(DataSource db) {
    try (Connection c = db.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT @@version, @@version_comment")) {
      rs.next();
      String version = rs.getString(1);
      String comment = rs.getString(2);
      return new ServerFacts(version, comment, ServerFlavor.detect(version, comment));
    } catch (SQLException e) {
      throw new DbJobsException(
          SqlErrors.classify(e), "cannot read the server's version: " + SqlErrors.message(e), e);
    }
  }
}
