package io.dbjobs.testkit;

import java.util.ArrayList;
import java.util.List;

/**
 * Extra settings for a test server: lines appended to the {@code [mariadbd]} group of its my.cnf
 * (local) or to its command line (container).
 */
public final class ServerOptions {
  private final List<String> lines = new ArrayList<>();
  private boolean binlog = true;

  public static ServerOptions defaults() {
    return new ServerOptions();
  }

  /** Adds {@code key=value} to the server's configuration. */
  public ServerOptions set(String key, String value) {
    lines.add(key + "=" + value);
    return this;
  }

  /** Starts the server without a binary log. */
  public ServerOptions withoutBinlog() {
    this.binlog = false;
    return this;
  }

  public boolean binlog() {
    return binlog;
  }

  public List<String> lines() {
    return List.copyOf(lines);
  }
}
