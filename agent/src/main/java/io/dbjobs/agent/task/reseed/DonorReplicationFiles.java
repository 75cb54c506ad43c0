package io.dbjobs.agent.task.reseed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.db.SqlErrors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Keeps the new data from replicating with the donor's settings when it first starts: before the
 * swap, the donor's replication state is taken out of the prepared data, so the server starts with
 * no replication configured and only the repositioning (to the job's primary) starts it.
 *
 * <ul>
 *   <li>MariaDB keeps replication settings in files of the datadir: {@code master.info}, {@code
 *       multi-master.info} and {@code master-<connection>.info}, {@code relay-log.info} and {@code
 *       relay-log-<connection>.info}, and the relay logs with their index. All are removed (the
 *       joiner's own relay log and info file names, read from its server, included).
 *   <li>MySQL 8 keeps them in tables ({@code mysql.slave_master_info}, ...) that cannot be edited
 *       before the server runs: the same files are removed, the donor's {@code mysqld-auto.cnf} and
 *       {@code auto.cnf} (persisted settings, server UUID) are replaced by the joiner's own, and
 *       {@code skip_replica_start} is persisted in it, then reset after the repositioning ({@link
 *       #afterRepositioning}).
 * </ul>
 */
final class DonorReplicationFiles {
  /** The server family. */
  enum Flavor {
    MARIADB,
    MYSQL;

    static Flavor of(Replication r) {
      return r instanceof MariaDbReplication ? MARIADB : MYSQL;
    }
  }

  /**
   * The joiner's own replication file names, as its server reports them.
   *
   * @param relayLogBase the file name of {@code @@relay_log_basename} (e.g. {@code relay-bin}), or
   *     null
   * @param relayLogInfo {@code @@relay_log_info_file} when it is a plain file name, or null
   */
  record JoinerNames(String relayLogBase, String relayLogInfo) {
    static final JoinerNames NONE = new JoinerNames(null, null);

    /** Reads them from the joiner's running server. */
    static JoinerNames read(Connection c) {
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT @@relay_log_basename, @@relay_log_info_file")) {
        rs.next();
        String base = rs.getString(1);
        String info = rs.getString(2);
        return new JoinerNames(
            base == null || base.isBlank() ? null : Path.of(base).getFileName().toString(),
            info == null || info.isBlank() || info.contains("/") ? null : info);
      } catch (SQLException e) {
        throw new DbJobsException(
            SqlErrors.classify(e),
            "cannot read the joiner's relay log names before the swap: " + SqlErrors.message(e),
            e);
      }
    }
  }

  private static final Pattern INFO =
      Pattern.compile("(multi-)?master(-.+)?\\.info|relay-log(-.+)?\\.info");
  private static final Pattern RELAY_LOG =
      Pattern.compile("(.+-)?relay-bin(-.+)?\\.(index|\\d{6,})");
  static final String MYSQL_PERSISTED = "mysqld-auto.cnf";
  static final String MYSQL_UUID = "auto.cnf";

  private DonorReplicationFiles() {}

  /**
   * Takes the donor's replication state out of {@code newData}.
   *
   * @param joinerDatadir the joiner's datadir before the swap (MySQL: its own persisted settings
   *     and UUID come from there)
   * @return what was removed or written, for the log
   */
  static List<String> neutralise(
      Flavor flavor, Path newData, Path joinerDatadir, JoinerNames joiner) {
    List<String> done = new ArrayList<>();
    try {
      for (String name : DurableFiles.names(newData)) {
        Path p = newData.resolve(name);
        if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && isReplicationFile(name, joiner)) {
          Files.delete(p);
          done.add("removed " + name);
        }
      }
      if (flavor == Flavor.MYSQL) {
        done.addAll(ownMySqlSettings(newData, joinerDatadir));
      }
      DurableFiles.syncDirectory(newData);
    } catch (IOException e) {
      throw new DbJobsException(
          ErrorCode.RESTORE_FAILED,
          "cannot take the donor's replication settings out of the new data in "
              + newData
              + ": "
              + e,
          e);
    }
    return done;
  }

  /** True for a replication settings file, relay log or relay log index. */
  static boolean isReplicationFile(String name, JoinerNames joiner) {
    if (INFO.matcher(name).matches() || RELAY_LOG.matcher(name).matches()) {
      return true;
    }
    if (joiner.relayLogInfo() != null && sameOrPerConnection(name, joiner.relayLogInfo())) {
      return true;
    }
    String base = joiner.relayLogBase();
    return base != null
        && Pattern.compile(Pattern.quote(base) + "(-.+)?\\.(index|\\d{6,})")
            .matcher(name)
            .matches();
  }

  /** {@code relay.info} or {@code relay-<connection>.info} for a configured {@code relay.info}. */
  private static boolean sameOrPerConnection(String name, String configured) {
    if (name.equals(configured)) {
      return true;
    }
    int dot = configured.lastIndexOf('.');
    String stem = dot < 0 ? configured : configured.substring(0, dot);
    String ext = dot < 0 ? "" : configured.substring(dot);
    return name.startsWith(stem + "-")
        && name.endsWith(ext)
        && name.length() > stem.length() + 1 + ext.length();
  }

  /** MySQL: the joiner's own persisted settings and UUID, with replication held until told. */
  private static List<String> ownMySqlSettings(Path newData, Path joinerDatadir)
      throws IOException {
    List<String> done = new ArrayList<>();
    Path ownUuid = joinerDatadir.resolve(MYSQL_UUID);
    Path newUuid = newData.resolve(MYSQL_UUID);
    Files.deleteIfExists(newUuid);
    if (Files.isRegularFile(ownUuid)) {
      Files.copy(ownUuid, newUuid);
      done.add("kept the joiner's own " + MYSQL_UUID);
    } else {
      done.add("removed the donor's " + MYSQL_UUID + " (the server makes a new UUID)");
    }
    Path own = joinerDatadir.resolve(MYSQL_PERSISTED);
    ObjectNode root =
        Files.isRegularFile(own)
            ? (ObjectNode) StepJournal.JSON.readTree(own.toFile())
            : StepJournal.JSON.createObjectNode().put("Version", 1);
    ObjectNode server = child(root, "mysql_server");
    ObjectNode statics = child(server, "mysql_server_static_options");
    ObjectNode hold = StepJournal.JSON.createObjectNode();
    hold.put("Value", "ON");
    ObjectNode meta = hold.putObject("Metadata");
    meta.put("Timestamp", System.currentTimeMillis() * 1000);
    meta.put("User", "dbjobs");
    meta.put("Host", "localhost");
    statics.set("skip_replica_start", hold);
    Files.write(
        newData.resolve(MYSQL_PERSISTED),
        StepJournal.JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8));
    done.add("wrote " + MYSQL_PERSISTED + " (the joiner's own, with skip_replica_start=ON)");
    return done;
  }

  private static ObjectNode child(ObjectNode parent, String name) {
    JsonNode n = parent.get(name);
    if (n instanceof ObjectNode o) {
      return o;
    }
    return parent.putObject(name);
  }

  /**
   * Statements run once replication is repositioned: MySQL forgets the persisted {@code
   * skip_replica_start}, so later restarts start replication as usual.
   */
  static List<String> afterRepositioning(Flavor flavor) {
    return flavor == Flavor.MYSQL
        ? List.of("RESET PERSIST IF EXISTS skip_replica_start")
        : List.of();
  }
}
