package io.dbjobs.agent.task.reseed.load;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.tool.RunningTool;
import io.dbjobs.common.tool.ToolResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code mariadb} client session of a parallel load. The loader writes statements to its stdin;
 * to know that everything written so far has run, it writes a marker query and waits until the
 * client prints the marker on stdout ({@link #requestSync}, {@link #awaitSync}). A client that
 * stops (an SQL error ends a batch client) fails the wait with its exit status and stderr.
 */
final class LoadSession {
  private static final Logger LOG = LoggerFactory.getLogger(LoadSession.class);
  private static final String MARKER = "dbjobs-sync-";
  private static final int MAX_LOGGED_LINE = 500;

  private final String name;
  private final String what;
  private final RunningTool tool;
  private final OutputStream stdin;
  private final Object lock = new Object();
  private long synced; // guarded by lock
  private boolean outputEnded; // guarded by lock
  private long requested;
  private boolean dirty;

  private LoadSession(String name, String what, RunningTool tool) {
    this.name = name;
    this.what = what;
    this.tool = tool;
    this.stdin = tool.stdin();
    Thread reader = new Thread(this::readOutput, "load-" + name + "-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Wraps a started client (stdin and stdout piped, {@code --batch --skip-column-names
   * --unbuffered}).
   *
   * @param name e.g. {@code main}, {@code worker-2}
   * @param what what the load is, for messages
   */
  static LoadSession of(String name, String what, RunningTool tool) {
    return new LoadSession(name, what, tool);
  }

  String name() {
    return name;
  }

  void write(byte[] b, int off, int len) throws IOException {
    try {
      stdin.write(b, off, len);
    } catch (IOException e) {
      throw stopped(e);
    }
  }

  void writeAscii(String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    write(b, 0, b.length);
  }

  /** True when statements were written since the last sync. */
  boolean dirty() {
    return dirty;
  }

  void markDirty() {
    dirty = true;
  }

  /** Asks the session to print the next marker once everything written so far has run. */
  void requestSync() throws IOException {
    requested++;
    writeAscii("SELECT '" + MARKER + requested + "';\n");
    try {
      stdin.flush();
    } catch (IOException e) {
      throw stopped(e);
    }
  }

  /** Waits for the marker of the last {@link #requestSync}; fails when the client stopped. */
  void awaitSync() throws InterruptedException {
    synchronized (lock) {
      while (synced < requested) {
        if (outputEnded) {
          throw ended();
        }
        lock.wait(1000);
      }
    }
    dirty = false;
  }

  /** Closes stdin and waits for the client's exit; fails unless it exited 0. */
  void finish(Duration timeout) throws IOException, InterruptedException {
    try {
      stdin.close();
    } catch (IOException e) {
      throw stopped(e);
    }
    ToolResult r = tool.waitFor(timeout);
    if (!r.ok()) {
      throw tool.failure(r, what + " (session " + name + ")");
    }
  }

  void kill() {
    tool.kill();
  }

  private void readOutput() {
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(tool.stdout(), StandardCharsets.ISO_8859_1))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith(MARKER)) {
          long n = Long.parseLong(line.substring(MARKER.length()).trim());
          synchronized (lock) {
            synced = Math.max(synced, n);
            lock.notifyAll();
          }
        } else {
          LOG.info(
              "[mariadb {}] {}",
              name,
              line.length() > MAX_LOGGED_LINE ? line.substring(0, MAX_LOGGED_LINE) + "..." : line);
        }
      }
    } catch (IOException | NumberFormatException e) {
      LOG.debug("reading the output of load session {} ended: {}", name, e.toString());
    } finally {
      synchronized (lock) {
        outputEnded = true;
        lock.notifyAll();
      }
    }
  }

  /** The client stopped reading: report its exit status and stderr, not just "broken pipe". */
  private IOException stopped(IOException e) {
    DbJobsException why = ended();
    return new IOException(why.getMessage(), e);
  }

  private DbJobsException ended() {
    try {
      ToolResult r = tool.waitFor(Duration.ofSeconds(10));
      return tool.failure(r, what + " (session " + name + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new DbJobsException(ErrorCode.TOOL_FAILED, what + ": session " + name + " stopped", e);
    } catch (DbJobsException e) {
      return new DbJobsException(
          e.code(), what + ": session " + name + " stopped answering: " + e.getMessage(), e);
    }
  }
}
