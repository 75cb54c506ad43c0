package io.dbjobs.agent.task.backup;

import io.dbjobs.common.db.SqlErrors;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many bytes a physical backup will stream, for progress: the size of the files in the server's
 * datadir that mariadb-backup/xtrabackup copy, i.e. all of them but binary and relay logs, the redo
 * log (only its tail is copied), temporary files and the server's own logs. Reading the datadir
 * works wherever the backup does (the tool reads the same files as the same user); where it does
 * not, the tables' data and index length stand in (an underestimate: free space, the system
 * tablespace and the redo log are not in it).
 */
public final class DatadirSize {
  private static final Logger LOG = LoggerFactory.getLogger(DatadirSize.class);

  private DatadirSize() {}

  /** The expected size, or null when neither the datadir nor the tables' sizes are readable. */
  static Long estimate(DataSource db) {
    try (Connection c = db.getConnection();
        Statement s = c.createStatement()) {
      List<String> skipPrefixes = new ArrayList<>();
      String datadir;
      try (ResultSet rs =
          s.executeQuery("SELECT @@datadir, @@log_bin_basename, @@relay_log_basename")) {
        rs.next();
        datadir = rs.getString(1);
        for (int i = 2; i <= 3; i++) {
          if (rs.getString(i) != null && !rs.getString(i).isBlank()) {
            skipPrefixes.add(rs.getString(i));
          }
        }
      }
      Long walked = datadir == null ? null : of(Path.of(datadir), skipPrefixes);
      if (walked != null) {
        return walked + redoSinceCheckpoint(s);
      }
      try (ResultSet rs =
          s.executeQuery(
              "SELECT SUM(COALESCE(DATA_LENGTH,0)+COALESCE(INDEX_LENGTH,0))"
                  + " FROM information_schema.TABLES WHERE TABLE_TYPE<>'VIEW'")) {
        return rs.next() ? rs.getLong(1) : null;
      }
    } catch (SQLException e) {
      LOG.warn("no size estimate for the backup's progress: {}", SqlErrors.message(e));
      return null;
    }
  }

  /**
   * What a physical backup of this node would stream, measured on its datadir, for the manager's
   * disk preflight of a reseed from this node ({@code GET /v1/facts}); -1 bytes when the datadir
   * cannot be read.
   */
  public static io.dbjobs.common.agentapi.AgentApi.Facts facts(DataSource db) {
    try (Connection c = db.getConnection();
        Statement s = c.createStatement()) {
      List<String> skipPrefixes = new ArrayList<>();
      String datadir;
      try (ResultSet rs =
          s.executeQuery("SELECT @@datadir, @@log_bin_basename, @@relay_log_basename")) {
        rs.next();
        datadir = rs.getString(1);
        for (int i = 2; i <= 3; i++) {
          if (rs.getString(i) != null && !rs.getString(i).isBlank()) {
            skipPrefixes.add(rs.getString(i));
          }
        }
      }
      Long walked = datadir == null ? null : of(Path.of(datadir), skipPrefixes);
      return new io.dbjobs.common.agentapi.AgentApi.Facts(
          walked == null ? -1 : walked + redoSinceCheckpoint(s), datadir);
    } catch (SQLException e) {
      throw new io.dbjobs.common.DbJobsException(
          SqlErrors.classify(e), "cannot measure this node's datadir: " + SqlErrors.message(e), e);
    }
  }

  /** Redo bytes since the last checkpoint, or 0 when the server does not say (MySQL). */
  private static long redoSinceCheckpoint(Statement s) throws SQLException {
    long current = -1;
    long checkpoint = -1;
    try (ResultSet rs =
        s.executeQuery(
            "SELECT UPPER(VARIABLE_NAME), VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS"
                + " WHERE VARIABLE_NAME IN ('INNODB_LSN_CURRENT', 'INNODB_LSN_LAST_CHECKPOINT')")) {
      while (rs.next()) {
        if (rs.getString(1).equals("INNODB_LSN_CURRENT")) {
          current = rs.getLong(2);
        } else {
          checkpoint = rs.getLong(2);
        }
      }
    }
    return current >= 0 && checkpoint >= 0 && current > checkpoint ? current - checkpoint : 0;
  }

  /**
   * The size of the files under {@code datadir} a physical backup copies, or null when the folder
   * cannot be read.
   *
   * @param skipPrefixes absolute path prefixes of files to leave out (binlog and relay log bases)
   */
  static Long of(Path datadir, List<String> skipPrefixes) {
    long[] total = {0};
    try {
      Files.walkFileTree(
          datadir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes a) {
              String n = name(dir);
              return n.startsWith("#innodb_redo") || n.startsWith("#innodb_temp")
                  ? FileVisitResult.SKIP_SUBTREE
                  : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) {
              if (a.isRegularFile() && copied(f, skipPrefixes)) {
                total[0] += a.size();
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path f, IOException e) throws IOException {
              if (f.equals(datadir)) {
                throw e;
              }
              return FileVisitResult.CONTINUE; // a table dropped meanwhile
            }
          });
    } catch (IOException e) {
      LOG.debug("cannot size the datadir {}: {}", datadir, e.toString());
      return null;
    }
    return total[0];
  }

  static boolean copied(Path f, List<String> skipPrefixes) {
    String path = f.toString();
    for (String p : skipPrefixes) {
      if (path.startsWith(p)) {
        return false;
      }
    }
    String n = name(f).toLowerCase(Locale.ROOT);
    return !(n.startsWith("ib_logfile")
        || n.startsWith("ibtmp")
        || n.startsWith("#sql")
        || n.endsWith(".pid")
        || n.endsWith(".sock")
        || n.endsWith(".err")
        || n.endsWith(".log"));
  }

  private static String name(Path p) {
    return p.getFileName() == null ? "" : p.getFileName().toString();
  }
}
