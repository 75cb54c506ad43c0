package io.dbjobs.agent.task.reseed;

import io.dbjobs.agent.task.JobContext;
import io.dbjobs.agent.task.ServiceCommands;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.db.SqlErrors;
import io.dbjobs.common.units.Sizes;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The joiner's data on disk and its server: where the datadir is, where new data is staged, and how
 * to stop, start and check the server.
 */
final class NodeData {
  final Path datadir;
  final Path stagingRoot;
  final Path newData;
  final Path oldData;

  private NodeData(Path datadir, Path stagingRoot, long jobId) {
    this.datadir = datadir;
    this.stagingRoot = stagingRoot;
    String name = datadir.getFileName().toString();
    this.newData = stagingRoot.resolve(name + ".dbjobs-new-" + jobId);
    this.oldData = stagingRoot.resolve(name + ".dbjobs-old-" + jobId);
  }

  /**
   * Finds the datadir (agent config, else the running server's {@code @@datadir}) and the staging
   * folder, and checks they share a filesystem (the swap is a rename) and that it has room.
   */
  static NodeData locate(JobContext ctx, Long expectedBytes) {
    Path datadir = ctx.config().reseed().datadir();
    if (datadir == null) {
      datadir = datadirFromServer(ctx);
    }
    datadir = datadir.toAbsolutePath().normalize();
    if (!Files.isDirectory(datadir)) {
      throw new DbJobsException(
          ErrorCode.PREFLIGHT_REFUSED, "the datadir " + datadir + " does not exist");
    }
    Path staging =
        ctx.config().reseed().stagingDir() != null
            ? ctx.config().reseed().stagingDir()
            : datadir.getParent();
    try {
      Files.createDirectories(staging);
      FileStore dataStore = Files.getFileStore(datadir);
      FileStore stagingStore = Files.getFileStore(staging);
      if (!sameFileSystem(datadir, staging)) {
        throw new DbJobsException(
            ErrorCode.PREFLIGHT_REFUSED,
            "the staging folder "
                + staging
                + " is not on the datadir's filesystem ("
                + dataStore.name()
                + " vs "
                + stagingStore.name()
                + "); set reseed.stagingDir to a folder on the filesystem of "
                + datadir
                + " so the new data can be moved in by renaming");
      }
      if (expectedBytes != null) {
        long need = expectedBytes + expectedBytes / 10;
        long free = stagingStore.getUsableSpace();
        if (free < need) {
          throw new DbJobsException(
              ErrorCode.PREFLIGHT_REFUSED,
              "not enough disk for the new data: "
                  + Sizes.human(need)
                  + " needed (backup + 10%) but "
                  + Sizes.human(free)
                  + " free on "
                  + staging
                  + "; free space or set reseed.stagingDir elsewhere on the same filesystem");
        }
      }
    } catch (IOException e) {
      throw new DbJobsException(
          ErrorCode.PREFLIGHT_REFUSED, "cannot check " + staging + ": " + e, e);
    }
    return new NodeData(datadir, staging, ctx.job().id());
  }

  private static boolean sameFileSystem(Path a, Path b) throws IOException {
    Object ka = Files.readAttributes(a, "unix:dev").get("dev");
    Object kb = Files.readAttributes(b, "unix:dev").get("dev");
    return ka.equals(kb);
  }

  private static Path datadirFromServer(JobContext ctx) {
    try (Connection c = ctx.database().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT @@datadir")) {
      rs.next();
      return Path.of(rs.getString(1));
    } catch (SQLException e) {
      throw new DbJobsException(
          ErrorCode.PREFLIGHT_REFUSED,
          "the server does not answer, so its datadir is unknown: set reseed.datadir in the agent's"
              + " config to reseed a node whose server is down ("
              + SqlErrors.message(e)
              + ")",
          e);
    }
  }

  /** Stops the server with the service command and waits until it is down. */
  static void stopServer(JobContext ctx) throws InterruptedException {
    Duration t = ctx.config().service().timeout();
    if (!ctx.probe().answers()) {
      return;
    }
    ServiceCommands.run(ctx, "stop", ctx.config().service().stop(), t);
    ServiceCommands.await(ctx, "go down", t, boot -> boot.isEmpty());
  }

  /**
   * Starts the server with the service command and waits until it answers, and until the agent's
   * own pool has reconnected (it backs off while the server is away).
   */
  static void startServer(JobContext ctx) throws InterruptedException {
    Duration t = ctx.config().service().timeout();
    ServiceCommands.run(ctx, "start", ctx.config().service().start(), t);
    ServiceCommands.await(ctx, "answer", t, boot -> boot.isPresent());
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      try (Connection c = ctx.database().getConnection()) {
        return;
      } catch (SQLException e) {
        if (System.nanoTime() > deadline) {
          throw new DbJobsException(
              SqlErrors.classify(e),
              "the server answers a new connection but the agent's pool does not reconnect: "
                  + SqlErrors.message(e),
              e);
        }
        Thread.sleep(200);
      }
    }
  }

  /**
   * Checks that the server opens its tables: every base table in information_schema has an engine
   * (a table that cannot be opened shows none, with the error as its comment).
   */
  static void verifyTablesOpen(JobContext ctx) {
    try (Connection c = ctx.database().getConnection();
        Statement s = c.createStatement()) {
      List<String> broken = new ArrayList<>();
      try (ResultSet rs =
          s.executeQuery(
              "SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_COMMENT FROM information_schema.TABLES"
                  + " WHERE TABLE_TYPE='BASE TABLE' AND ENGINE IS NULL LIMIT 20")) {
        while (rs.next()) {
          broken.add(rs.getString(1) + "." + rs.getString(2) + " (" + rs.getString(3) + ")");
        }
      }
      if (!broken.isEmpty()) {
        throw new DbJobsException(
            ErrorCode.RESTORE_FAILED, "tables that do not open: " + String.join(", ", broken));
      }
      try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM mysql.user")) {
        rs.next();
      }
    } catch (SQLException e) {
      throw new DbJobsException(
          ErrorCode.RESTORE_FAILED,
          "the restored server does not answer queries: " + SqlErrors.message(e),
          e);
    }
  }

  /** The last lines of the server's error log, for messages; empty when unknown. */
  static String errorLogTail(Path datadir, String logError) {
    try {
      Path log = logError == null || logError.isBlank() ? null : datadir.resolve(logError);
      if (log == null || !Files.isReadable(log)) {
        return "";
      }
      List<String> lines = Files.readAllLines(log, java.nio.charset.StandardCharsets.ISO_8859_1);
      return "; its error log ends with:\n  "
          + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 12), lines.size()));
    } catch (IOException e) {
      return "";
    }
  }
}
