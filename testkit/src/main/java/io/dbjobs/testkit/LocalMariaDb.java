package io.dbjobs.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

/**
 * A real {@code mariadbd} in its own folder under {@link LocalRuntime#baseDir()}, on a free
 * loopback port, started from a copy of a once-per-run template datadir. Its {@code ctl} script
 * ({@code start|stop|restart}) is what the test gives an agent as service commands, so stopping and
 * starting through the agent works on the same process the fixture tracks.
 */
public final class LocalMariaDb implements DbServer {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final String name;
  private final int serverId;
  private final Path dir;
  private int port;

  private LocalMariaDb(String name, int serverId, Path dir) {
    this.name = name;
    this.serverId = serverId;
    this.dir = dir;
  }

  /** Starts a new server named {@code name}; it is stopped and deleted by {@link #close()}. */
  public static LocalMariaDb start(String name, int serverId, ServerOptions options) {
    return start(name, serverId, options, null);
  }

  /**
   * Starts a server on an existing data directory (a restored backup), which is moved into the
   * server's folder. Its users are the backup's, so the fixture's admin password must be in it
   * (true for backups of fixture servers).
   */
  public static LocalMariaDb startFromDatadir(
      String name, int serverId, Path datadir, ServerOptions options) {
    return start(name, serverId, options, datadir);
  }

  private static LocalMariaDb start(
      String name, int serverId, ServerOptions options, Path datadir) {
    LocalRuntime rt = LocalRuntime.get();
    Path dir = rt.newServerDir(name);
    LocalMariaDb db = new LocalMariaDb(name, serverId, dir);
    rt.track(db);
    try {
      if (datadir == null) {
        rt.copyTemplate(dir.resolve("data"));
      } else {
        Shell.check(600, "mv", datadir.toString(), dir.resolve("data").toString());
      }
      db.writeControlScript(rt.mariadbd());
      RuntimeException last = null;
      for (int attempt = 1; attempt <= 3; attempt++) {
        db.port = FreePorts.next();
        db.writeConfig(options);
        try {
          db.start();
          return db;
        } catch (RuntimeException e) {
          last = e;
          db.stop();
        }
      }
      throw last;
    } catch (RuntimeException e) {
      try {
        db.close();
      } catch (RuntimeException cleanup) {
        e.addSuppressed(cleanup); // the cause of the failed start stays the one reported
      }
      throw e;
    }
  }

  private void writeConfig(ServerOptions options) {
    StringBuilder c = new StringBuilder();
    c.append("# test server ").append(name).append(", written by the dbjobs testkit\n");
    c.append("[mariadbd]\n");
    c.append("datadir=").append(dir.resolve("data")).append('\n');
    c.append("port=").append(port).append('\n');
    c.append("bind-address=127.0.0.1\n");
    c.append("socket=").append(socket()).append('\n');
    c.append("pid-file=").append(dir.resolve("mariadbd.pid")).append('\n');
    c.append("log-error=").append(errorLog()).append('\n');
    c.append("server-id=").append(serverId).append('\n');
    if (options.binlog()) {
      c.append("log-bin=mysql-bin\n");
      c.append("log-slave-updates=1\n");
      c.append("binlog-format=ROW\n");
    }
    c.append("gtid-strict-mode=1\n");
    c.append("relay-log=relay-bin\n");
    c.append("skip-name-resolve=1\n");
    c.append("innodb-buffer-pool-size=64M\n");
    c.append("innodb-log-file-size=64M\n");
    c.append("innodb-flush-log-at-trx-commit=2\n");
    c.append("sync-binlog=0\n");
    c.append("performance-schema=0\n");
    c.append("max-connections=300\n");
    c.append("slow-query-log-file=").append(dir.resolve("slow.log")).append('\n');
    if (Shell.isRoot()) {
      c.append("user=root\n");
    }
    for (String line : options.lines()) {
      c.append(line).append('\n');
    }
    c.append("[client]\n");
    c.append("socket=").append(socket()).append('\n');
    c.append("port=").append(port).append('\n');
    try {
      Files.writeString(dir.resolve("my.cnf"), c.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void writeControlScript(Path mariadbd) {
    String script =
        """
        #!/bin/sh
        # start|stop|restart|status for the test server in this folder (dbjobs testkit)
        DIR='%s'
        PIDFILE="$DIR/mariadbd.pid"
        running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }
        launched() { [ -f "$DIR/server.pid" ] && kill -0 "$(cat "$DIR/server.pid")" 2>/dev/null; }
        case "$1" in
          start)
            if running || launched; then exit 0; fi
            rm -f "$PIDFILE"
            setsid '%s' --defaults-file="$DIR/my.cnf" >>"$DIR/mariadbd.out" 2>&1 </dev/null &
            echo $! > "$DIR/server.pid"
            ;;
          stop)
            for f in "$PIDFILE" "$DIR/server.pid"; do
              [ -f "$f" ] || continue
              pid=$(cat "$f")
              kill "$pid" 2>/dev/null || continue
              i=0
              while kill -0 "$pid" 2>/dev/null; do
                sleep 0.1; i=$((i+1))
                if [ $i -gt 600 ]; then echo "mariadbd $pid did not stop within 60 s" >&2; exit 1; fi
              done
            done
            ;;
          restart) "$0" stop && "$0" start ;;
          status) running ;;
          *) echo "usage: $0 start|stop|restart|status" >&2; exit 2 ;;
        esac
        """
            .formatted(dir, mariadbd);
    try {
      Path ctl = controlScript();
      Files.writeString(ctl, script);
      Files.setPosixFilePermissions(ctl, PosixFilePermissions.fromString("rwxr-xr-x"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void start() {
    Shell.check(30, controlScript().toString(), "start");
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (!answers()) {
      if (!processAlive()) {
        throw new IllegalStateException(
            name
                + " (mariadbd on port "
                + port
                + ") exited during start; error log:\n"
                + Shell.tail(errorLog(), 30));
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            name
                + " did not answer within "
                + START_TIMEOUT
                + "; error log:\n"
                + Shell.tail(errorLog(), 30));
      }
      Waits.pause(Duration.ofMillis(50));
    }
  }

  private boolean processAlive() {
    for (String f : List.of("server.pid", "mariadbd.pid")) {
      try {
        Path p = dir.resolve(f);
        if (Files.exists(p)) {
          long pid = Long.parseLong(Files.readString(p).trim());
          if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            return true;
          }
        }
      } catch (IOException | NumberFormatException e) {
        // pid file being written: treat as alive for this check
        return true;
      }
    }
    return false;
  }

  @Override
  public void stop() {
    if (!Files.exists(controlScript())) { // failed before the server was set up
      LocalRuntime.killPidFiles(dir);
      return;
    }
    Shell.Result r = Shell.run(90, List.of(controlScript().toString(), "stop"));
    if (r.exit() != 0) {
      LocalRuntime.killPidFiles(dir);
    }
  }

  /** Kills the server with SIGKILL, as a crash would. */
  public void crash() {
    LocalRuntime.killPidFiles(dir);
  }

  @Override
  public void close() {
    try {
      stop();
    } finally {
      LocalRuntime.get().untrack(this);
      if (!Boolean.getBoolean("dbjobs.it.keep")) {
        Shell.deleteTree(dir);
      }
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String host() {
    return "127.0.0.1";
  }

  @Override
  public int port() {
    return port;
  }

  @Override
  public int serverId() {
    return serverId;
  }

  @Override
  public String adminUser() {
    return "root";
  }

  @Override
  public String adminPassword() {
    return LocalRuntime.get().adminPassword();
  }

  @Override
  public boolean isLocal() {
    return true;
  }

  @Override
  public Path baseDir() {
    return dir;
  }

  @Override
  public String toString() {
    return name + "(127.0.0.1:" + port + ", " + dir + ")";
  }
}
