package io.dbjobs.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What all local test servers of one JVM share: a base folder ({@code $TMPDIR/dbjobs-it/<pid>}), a
 * template datadir made once with {@code mariadb-install-db}, a random admin password, and a
 * shutdown hook that stops every server still running. At start it also reaps servers left behind
 * by a JVM that died (their owner pid is gone).
 */
final class LocalRuntime {
  private static final Logger LOG = LoggerFactory.getLogger(LocalRuntime.class);
  private static LocalRuntime instance;

  private final Path root;
  private final Path base;
  private final Path mariadbd;
  private final Path installDb;
  private final Path client;
  private final String adminPassword;
  private final String replPassword;
  private final Set<LocalMariaDb> servers = ConcurrentHashMap.newKeySet();
  private Path template;

  private LocalRuntime() {
    mariadbd = Shell.find("mariadbd", "mysqld");
    installDb = Shell.find("mariadb-install-db", "mysql_install_db");
    client = Shell.find("mariadb", "mysql");
    if (mariadbd == null || installDb == null || client == null) {
      throw new IllegalStateException(
          "integration tests need a local MariaDB (mariadbd, mariadb-install-db, mariadb);"
              + " install them: sudo apt-get install mariadb-server mariadb-client mariadb-backup"
              + " (or run with -Ddbjobs.it.backend=docker where a Docker engine runs)");
    }
    root = Path.of(System.getProperty("java.io.tmpdir"), "dbjobs-it");
    long pid = ProcessHandle.current().pid();
    base = root.resolve(pid + "-" + Long.toHexString(System.nanoTime()));
    SecureRandom r = new SecureRandom();
    adminPassword = "adm-" + HexFormat.of().formatHex(r.generateSeed(8));
    replPassword = "rpl-" + HexFormat.of().formatHex(r.generateSeed(8));
    try {
      Files.createDirectories(root);
      reapOrphans();
      Files.createDirectories(base);
      Files.writeString(base.resolve("owner.pid"), Long.toString(pid));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + base, e);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(this::shutdown, "testkit-shutdown"));
  }

  static synchronized LocalRuntime get() {
    if (instance == null) {
      instance = new LocalRuntime();
    }
    return instance;
  }

  Path baseDir() {
    return base;
  }

  Path mariadbd() {
    return mariadbd;
  }

  String adminPassword() {
    return adminPassword;
  }

  String replPassword() {
    return replPassword;
  }

  Path newServerDir(String name) {
    try {
      return Files.createDirectories(Files.createTempDirectory(base, name + "-"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void track(LocalMariaDb db) {
    servers.add(db);
  }

  void untrack(LocalMariaDb db) {
    servers.remove(db);
  }

  /** Copies the template datadir (made on first use) to {@code target}. */
  void copyTemplate(Path target) {
    Path t = template();
    Shell.check(120, "cp", "-a", t.toString(), target.toString());
  }

  private synchronized Path template() {
    if (template != null) {
      return template;
    }
    Path dir = base.resolve("template");
    Path data = dir.resolve("data");
    Path sock = dir.resolve("t.sock");
    List<String> install =
        new ArrayList<>(
            List.of(
                installDb.toString(),
                "--no-defaults",
                "--datadir=" + data,
                "--auth-root-authentication-method=normal",
                "--skip-test-db"));
    if (Shell.isRoot()) {
      install.add("--user=root");
    }
    Shell.Result r = Shell.run(180, install);
    if (r.exit() != 0) {
      throw new IllegalStateException("mariadb-install-db failed:\n" + r.output());
    }
    List<String> serve =
        new ArrayList<>(
            List.of(
                mariadbd.toString(),
                "--no-defaults",
                "--datadir=" + data,
                "--skip-networking",
                "--socket=" + sock,
                "--pid-file=" + dir.resolve("t.pid"),
                "--log-error=" + dir.resolve("t.err"),
                "--innodb-log-file-size=64M"));
    if (Shell.isRoot()) {
      serve.add("--user=root");
    }
    Process p;
    try {
      p =
          new ProcessBuilder(serve)
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("t.out").toFile())
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the template server", e);
    }
    try {
      String setup =
          String.join(
              "\n",
              "CREATE OR REPLACE USER 'root'@'127.0.0.1' IDENTIFIED BY '" + adminPassword + "';",
              "GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;",
              "CREATE OR REPLACE USER 'root'@'%' IDENTIFIED BY '" + adminPassword + "';",
              "GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION;",
              "ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password"
                  + " USING PASSWORD('"
                  + adminPassword
                  + "');",
              "CREATE OR REPLACE USER 'repl'@'%' IDENTIFIED BY '" + replPassword + "';",
              "GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'repl'@'%';",
              "DROP USER IF EXISTS ''@'localhost';",
              "FLUSH PRIVILEGES;");
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (true) {
        Shell.Result ping =
            Shell.run(
                10,
                List.of(
                    client.toString(),
                    "--no-defaults",
                    "-uroot",
                    "-S",
                    sock.toString(),
                    "-e",
                    "SELECT 1"));
        if (ping.exit() == 0) {
          break;
        }
        if (!p.isAlive() || System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "template server did not start:\n" + Shell.tail(dir.resolve("t.err"), 30));
        }
        Waits.pause(Duration.ofMillis(100));
      }
      Shell.check(
          30, client.toString(), "--no-defaults", "-uroot", "-S", sock.toString(), "-e", setup);
    } finally {
      p.destroy();
      try {
        p.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    template = data;
    LOG.info("template datadir ready in {}", data);
    return template;
  }

  private void shutdown() {
    for (LocalMariaDb db : List.copyOf(servers)) {
      try {
        db.crash();
      } catch (RuntimeException e) {
        System.err.println("testkit: could not stop " + db + ": " + e.getMessage());
      }
    }
    if (!Boolean.getBoolean("dbjobs.it.keep")) {
      Shell.deleteTree(base);
    }
  }

  /** Kills the servers of folders whose owning JVM is gone, then deletes the folders. */
  private void reapOrphans() throws IOException {
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
      for (Path d : dirs) {
        Path owner = d.resolve("owner.pid");
        if (!Files.exists(owner)) {
          continue;
        }
        long pid;
        try {
          pid = Long.parseLong(Files.readString(owner).trim());
        } catch (NumberFormatException e) {
          continue;
        }
        if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
          continue;
        }
        try (DirectoryStream<Path> serverDirs = Files.newDirectoryStream(d)) {
          for (Path s : serverDirs) {
            if (Files.isDirectory(s)) {
              killPidFiles(s);
            }
          }
        }
        LOG.info("reaping test servers left by dead JVM {} in {}", pid, d);
        Shell.deleteTree(d);
      }
    }
  }

  /** SIGKILLs the processes named by a server folder's pid files and waits for them to go. */
  static void killPidFiles(Path serverDir) {
    for (String f : List.of("mariadbd.pid", "server.pid")) {
      Path p = serverDir.resolve(f);
      try {
        if (!Files.exists(p)) {
          continue;
        }
        long pid = Long.parseLong(Files.readString(p).trim());
        ProcessHandle.of(pid)
            .filter(
                h ->
                    h.info()
                        .command()
                        .map(c -> c.contains("mariadbd") || c.contains("mysqld"))
                        .orElse(false))
            .ifPresent(
                h -> {
                  h.destroyForcibly();
                  h.onExit()
                      .orTimeout(30, java.util.concurrent.TimeUnit.SECONDS)
                      .exceptionally(x -> h)
                      .join();
                });
      } catch (IOException | NumberFormatException e) {
        // a pid file half-written or gone: nothing to kill
      }
    }
  }
}
