package io.dbjobs.testkit;

/** Local {@code mariadbd} processes on loopback. */
final class LocalBackend implements DbBackend {
  static final LocalBackend INSTANCE = new LocalBackend();

  @Override
  public DbServer start(String name, int serverId, ServerOptions options) {
    return LocalMariaDb.start(name, serverId, options);
  }

  @Override
  public String replicationHost(DbServer primary) {
    return primary.host();
  }

  @Override
  public int replicationPort(DbServer primary) {
    return primary.port();
  }

  @Override
  public String replicationUser() {
    return "repl";
  }

  @Override
  public String replicationPassword() {
    return LocalRuntime.get().replPassword();
  }

  @Override
  public String name() {
    return "local";
  }
}
