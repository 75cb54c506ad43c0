package io.dbjobs.agent;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.backup.BackupTools;
import io.dbjobs.common.backup.ToolLocation;
import io.dbjobs.common.config.ConfigProblems;
import io.dbjobs.common.config.ConfigTree;
import io.dbjobs.common.config.DatabaseEndpoint;
import io.dbjobs.common.config.Secret;
import io.dbjobs.common.http.HttpLimits;
import io.dbjobs.common.stream.Compression;
import io.dbjobs.common.stream.StreamOptions;
import io.dbjobs.common.stream.StreamTls;
import io.dbjobs.common.time.Durations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The agent's settings from {@code agent.yml}, validated as a whole at start (every problem names
 * its key) and immutable afterwards. Each key's default is given where it is read, below, and in
 * {@code deploy/agent.yml}.
 */
public record AgentConfig(
    String node,
    DatabaseEndpoint database,
    Duration connectTimeout,
    Jobs jobs,
    Path workDir,
    Stream stream,
    Tools tools,
    Service service,
    Http http,
    Reseed reseed,
    Security security) {

  /**
   * Who may make this agent act, whom it may talk to, and checks on the agent's own setup.
   *
   * @param keyFile {@code security.keyFile}, default {@code <workDir>/agent.keys}: this node's job
   *     keys (docs/security.md), the same file as the manager's {@code
   *     <security.keysDir>/<node>.keys}; the agent runs only jobs sealed with one of them, and
   *     rewrites the file when the manager rotates them (so it lives in a folder the agent may
   *     write, readable by nobody else, never by the database server's user)
   * @param allowSendTo {@code security.allowSendTo}, default empty (any): the receivers this node
   *     may stream to, as {@code host} or {@code host:port} (the manager's receiver, the joiners'
   *     stream port)
   * @param allowReplicateFrom {@code security.allowReplicateFrom}, default empty (any): the
   *     primaries this node may be pointed at, as {@code host} or {@code host:port}
   * @param databaseServerUser {@code security.databaseServerUser}, default {@code mysql}: the OS
   *     user the database server runs as; the agent's secret files (its key file included) must not
   *     be readable by it ({@link io.dbjobs.common.config.SecretFileAccess}, checked at start and
   *     by {@code --check})
   */
  public record Security(
      Path keyFile,
      List<String> allowSendTo,
      List<String> allowReplicateFrom,
      String databaseServerUser) {
    public Security {
      allowSendTo = List.copyOf(allowSendTo);
      allowReplicateFrom = List.copyOf(allowReplicateFrom);
    }
  }

  /** Every secret of this config (null entries for those not set), for the file checks. */
  public List<Secret> secrets() {
    List<Secret> out = new ArrayList<>();
    out.add(database.password());
    out.add(http.token());
    out.add(reseed.replicationPassword());
    out.addAll(reseed.channelPasswords().values());
    out.add(new Secret("", "file:" + security.keyFile()));
    return out;
  }

  /**
   * How this node is rebuilt by reseed and flashback jobs.
   *
   * @param datadir the server's data directory; null: read {@code @@datadir} from the running
   *     server (set it for nodes whose server may not start)
   * @param stagingDir where new data is received and prepared before the swap, on the datadir's
   *     filesystem (default: the datadir's parent folder)
   * @param keepOldDatadir keep the replaced data after a successful reseed (default false: delete
   *     it once the new data serves and replicates)
   * @param replicationUser the user the node replicates with (default {@code repl})
   * @param replicationPassword its password, by reference; required for reseeds
   * @param catchUpTimeout how long a reseeded node may take to catch up with its primary
   * @param loadSessions {@code reseed.loadSessions}, default 1: client sessions a plain SQL dump
   *     (an imported one) loads rows through
   * @param loadThreads {@code reseed.loadThreads}, default the machine's cores (1..64): sessions
   *     loading the tables of a parallel dump at once, each a whole table
   * @param channelPasswords {@code reseed.channels: [{name, password}]}, default none: the password
   *     of each named replication connection (MariaDB multi-source) a reseed sets up again; a
   *     connection without an entry uses {@code replicationPassword}
   */
  public record Reseed(
      Path datadir,
      Path stagingDir,
      boolean keepOldDatadir,
      String replicationUser,
      Secret replicationPassword,
      Duration catchUpTimeout,
      int loadSessions,
      int loadThreads,
      Map<String, Secret> channelPasswords) {
    public Reseed {
      channelPasswords = Map.copyOf(channelPasswords);
    }

    /** The password of named replication connection {@code name}, or null when none is set. */
    public Secret channelPassword(String name) {
      Secret s = channelPasswords.get(name);
      return s != null ? s : replicationPassword;
    }
  }

  /** Polling, leases and concurrency. */
  public record Jobs(
      Duration pollInterval,
      Duration lease,
      Duration heartbeat,
      int maxParallel,
      Duration shutdownGrace,
      Duration sweepInterval) {}

  /**
   * Streams: the listener of joiners ({@code bind}, {@code port}) and what every stream this agent
   * sends or receives uses (TLS, timeouts).
   *
   * @param bind {@code stream.bind}, default {@code 0.0.0.0}: address of the joiner's listener
   * @param port {@code stream.port}, default 4444: port of the joiner's listener
   * @param tls {@code stream.tls: {cert, key, ca}}, default none (plain TCP): PEM files of this
   *     node's certificate, its unencrypted PKCS#8 key and the CA that issued the peers'
   *     certificates; when set, every stream this agent sends or receives uses mutual TLS, so the
   *     manager and the other agents must use it too
   * @param connectTimeout {@code stream.connectTimeout}, default 10s: how long a sender waits for
   *     the TCP connection to the receiver
   * @param handshakeTimeout {@code stream.handshakeTimeout}, default 10s: from TCP connect to an
   *     authenticated stream, TLS included
   * @param idleTimeout {@code stream.idleTimeout}, default 60s: how long bytes may stop moving (a
   *     receiver that takes nothing, or no ACK after the trailer) before the stream fails
   * @param jobTimeout {@code stream.jobTimeout}, default 24h: the longest one stream may take, from
   *     connect to the receiver's ACK
   */
  public record Stream(
      String bind,
      int port,
      StreamTls tls,
      Duration connectTimeout,
      Duration handshakeTimeout,
      Duration idleTimeout,
      Duration jobTimeout) {

    /** Options of this agent's stream listener (a joiner's): TLS and timeouts as configured. */
    public StreamOptions listenerOptions() {
      return senderOptions(Compression.NONE);
    }

    /** Options of a stream this agent sends, with {@code compression} on the wire. */
    public StreamOptions senderOptions(Compression compression) {
      return StreamOptions.defaults()
          .withConnectTimeout(connectTimeout)
          .withHandshakeTimeout(handshakeTimeout)
          .withIdleTimeout(idleTimeout)
          .withJobTimeout(jobTimeout)
          .withCompression(compression)
          .withTls(tls);
    }
  }

  /**
   * Paths of the database's own tools. A path set in the config must be an executable file; a
   * default that is not installed only fails the jobs that need it (TOOL_NOT_FOUND naming the key).
   *
   * @param mariadb {@code tools.mariadb}, default {@code /usr/bin/mariadb}
   * @param mariadbDump {@code tools.mariadbDump}, default {@code /usr/bin/mariadb-dump}:
   *     backup-logical on MariaDB
   * @param mariadbBackup {@code tools.mariadbBackup}, default {@code /usr/bin/mariadb-backup}:
   *     backup-physical on MariaDB
   * @param mbstream {@code tools.mbstream}, default {@code /usr/bin/mbstream}
   * @param xtrabackup {@code tools.xtrabackup}, default {@code /usr/bin/xtrabackup}:
   *     backup-physical on MySQL (Percona XtraBackup matching the server's version)
   * @param mysqldump {@code tools.mysqldump}, default {@code /usr/bin/mysqldump}: backup-logical on
   *     MySQL
   */
  public record Tools(
      Path mariadb,
      Path mariadbDump,
      Path mariadbBackup,
      Path mbstream,
      Path xtrabackup,
      Path mysqldump) {

    /** The backup tools at these paths, each naming its setting when it is missing. */
    public BackupTools backupTools() {
      return new BackupTools(
          new ToolLocation(mariadbBackup, "tools.mariadbBackup"),
          new ToolLocation(xtrabackup, "tools.xtrabackup"),
          new ToolLocation(mariadbDump, "tools.mariadbDump"),
          new ToolLocation(mysqldump, "tools.mysqldump"));
    }
  }

  /**
   * Commands that stop, start and restart the database service (argument vectors), and how long to
   * wait for the server to go down or answer.
   */
  public record Service(
      List<String> stop, List<String> start, List<String> restart, Duration timeout) {}

  /**
   * The agent's small HTTP endpoint: health, metrics, and job submission while the database is down
   * ({@code start}).
   *
   * @param port 0 disables it
   * @param limits {@code http.headerTimeout}, {@code http.bodyTimeout}, {@code http.maxHeaderSize},
   *     {@code http.maxBody}, {@code http.maxConnections}, {@code http.maxUnauthenticated}, {@code
   *     http.maxUnauthenticatedPerAddress}, {@code http.threads}, {@code http.queue}: see {@link
   *     HttpLimits} for each; defaults {@link #DEFAULT_LIMITS}
   */
  public record Http(String bind, int port, Secret token, HttpLimits limits) {
    /** The endpoint's limits when agent.yml sets none: a 64 KiB body, 2 threads, 8 waiting. */
    public static final HttpLimits DEFAULT_LIMITS = HttpLimits.defaults(64 * 1024, 2, 8);

    /** The endpoint's settings with the default limits. */
    public Http(String bind, int port, Secret token) {
      this(bind, port, token, DEFAULT_LIMITS);
    }
  }

  /**
   * Reads and validates {@code file}; environment variables resolve {@code {env: NAME}} secrets.
   */
  public static AgentConfig load(Path file, UnaryOperator<String> env) {
    ConfigProblems problems = new ConfigProblems();
    ConfigTree root = ConfigTree.load(file, problems, env);
    AgentConfig c = read(root);
    root.rejectUnknownKeys();
    problems.throwIfAny(file.toString());
    return c;
  }

  /** Parses and validates YAML text; {@code source} names it in messages. */
  public static AgentConfig fromYaml(
      String yaml, String source, UnaryOperator<String> env, Path baseDir) {
    ConfigProblems problems = new ConfigProblems();
    ConfigTree root = ConfigTree.parse(yaml, source, problems, env, baseDir);
    AgentConfig c = read(root);
    root.rejectUnknownKeys();
    problems.throwIfAny(source);
    return c;
  }

  /** Reads a parsed tree; the caller throws the collected problems. */
  static AgentConfig read(ConfigTree root) {
    String node = root.requiredString("node", "this node's name, as the manager's config calls it");

    ConfigTree db = root.child("database");
    DatabaseEndpoint endpoint = DatabaseEndpoint.read(db, "dbjobs_agent", false);
    Duration connectTimeout =
        db.duration("connectTimeout", Duration.ofSeconds(5), Duration.ofMillis(100));

    ConfigTree j = root.child("jobs");
    Duration poll = j.duration("pollInterval", Duration.ofMillis(500), Duration.ofMillis(10));
    Duration lease = j.duration("lease", Duration.ofSeconds(30), Duration.ofSeconds(2));
    Duration heartbeat = j.duration("heartbeat", Duration.ofSeconds(1), Duration.ofMillis(50));
    if (heartbeat.multipliedBy(3).compareTo(lease) > 0) {
      root.problems()
          .add(
              j.keyOf("heartbeat"),
              "is "
                  + Durations.human(heartbeat)
                  + " but must be at most a third of jobs.lease ("
                  + Durations.human(lease)
                  + "), or a busy moment looks like a lost agent");
    }
    int maxParallel = j.integer("maxParallel", 2, 1, 64);
    Duration grace = j.duration("shutdownGrace", Duration.ofSeconds(30), Duration.ZERO);
    Duration sweep = j.duration("sweepInterval", Duration.ofSeconds(10), Duration.ofMillis(100));
    Jobs jobs = new Jobs(poll, lease, heartbeat, maxParallel, grace, sweep);

    Path workDir = root.path("workDir", Path.of("/var/lib/dbjobs"));

    Stream stream = readStream(root.child("stream"));

    ConfigTree t = root.child("tools");
    Tools tools =
        new Tools(
            tool(t, "mariadb", "/usr/bin/mariadb"),
            tool(t, "mariadbDump", "/usr/bin/mariadb-dump"),
            tool(t, "mariadbBackup", "/usr/bin/mariadb-backup"),
            tool(t, "mbstream", "/usr/bin/mbstream"),
            tool(t, "xtrabackup", "/usr/bin/xtrabackup"),
            tool(t, "mysqldump", "/usr/bin/mysqldump"));

    ConfigTree sv = root.child("service");
    List<String> stop = orDefault(sv.command("stop"), List.of("systemctl", "stop", "mariadb"));
    List<String> start = orDefault(sv.command("start"), List.of("systemctl", "start", "mariadb"));
    List<String> restart = sv.command("restart");
    if (restart == null) {
      restart = List.of("systemctl", "restart", "mariadb");
    }
    Duration serviceTimeout = sv.duration("timeout", Duration.ofMinutes(10), Duration.ofSeconds(1));
    Service service = new Service(stop, start, restart, serviceTimeout);

    ConfigTree h = root.child("http");
    int httpPort = h.integer("port", 4445, 0, 65535);
    Secret token = h.secret("token", httpPort != 0);
    Http http =
        new Http(
            h.string("bind", "127.0.0.1"),
            httpPort,
            token,
            HttpLimits.read(h, Http.DEFAULT_LIMITS));

    ConfigTree rs = root.child("reseed");
    Reseed reseed =
        new Reseed(
            rs.path("datadir", null),
            rs.path("stagingDir", null),
            rs.bool("keepOldDatadir", false),
            rs.string("replicationUser", "repl"),
            rs.secret("replicationPassword", false),
            rs.duration("catchUpTimeout", Duration.ofHours(1), Duration.ofSeconds(1)),
            rs.integer("loadSessions", 1, 1, 64),
            rs.integer(
                "loadThreads",
                Math.max(1, Math.min(64, Runtime.getRuntime().availableProcessors())),
                1,
                64),
            channelPasswords(rs));

    ConfigTree sec = root.child("security");
    Path keyFile =
        sec.path(
            "keyFile", workDir == null ? Path.of("agent.keys") : workDir.resolve("agent.keys"));
    Security security =
        new Security(
            keyFile,
            sec.strings("allowSendTo", List.of()),
            sec.strings("allowReplicateFrom", List.of()),
            sec.string("databaseServerUser", "mysql"));

    return new AgentConfig(
        node,
        endpoint,
        connectTimeout,
        jobs,
        workDir,
        stream,
        tools,
        service,
        http,
        reseed,
        security);
  }

  private static Stream readStream(ConfigTree s) {
    String bind = s.string("bind", "0.0.0.0");
    int port = s.integer("port", 4444, 1, 65535);
    StreamTls tls = null;
    if (s.has("tls")) {
      ConfigTree t = s.child("tls");
      Path cert = t.path("cert", null);
      Path key = t.path("key", null);
      Path ca = t.path("ca", null);
      for (String k : List.of("cert", "key", "ca")) {
        if (!t.has(k)) {
          t.problems()
              .add(t.keyOf(k), "is required with stream.tls: the path of a PEM file (" + k + ")");
        }
      }
      if (cert != null && key != null && ca != null) {
        try {
          tls = new StreamTls(cert, key, ca);
        } catch (DbJobsException e) {
          t.problems().add(s.keyOf("tls"), e.getMessage());
        }
      }
    }
    Duration min = Duration.ofMillis(100);
    return new Stream(
        bind,
        port,
        tls,
        s.duration("connectTimeout", StreamOptions.DEFAULT_CONNECT_TIMEOUT, min),
        s.duration("handshakeTimeout", StreamOptions.DEFAULT_HANDSHAKE_TIMEOUT, min),
        s.duration("idleTimeout", StreamOptions.DEFAULT_IDLE_TIMEOUT, Duration.ofSeconds(1)),
        s.duration("jobTimeout", StreamOptions.DEFAULT_JOB_TIMEOUT, Duration.ofSeconds(1)));
  }

  /** A tool's path; one set explicitly must be an executable file. */
  private static Path tool(ConfigTree t, String key, String dflt) {
    boolean explicit = t.has(key);
    Path p = t.path(key, Path.of(dflt));
    if (explicit && p != null && !(Files.isRegularFile(p) && Files.isExecutable(p))) {
      t.problems()
          .add(
              t.keyOf(key),
              "is "
                  + p
                  + ", which is not an executable file; install the tool there or correct the path"
                  + " (remove the key to use "
                  + dflt
                  + ")");
    }
    return p;
  }

  private static List<String> orDefault(List<String> v, List<String> dflt) {
    return v == null ? dflt : v;
  }

  /** The effective settings, one per line, secrets masked: logged at start. */
  public List<String> describe() {
    List<String> out = new ArrayList<>();
    out.add("node=" + node);
    out.add(
        "database="
            + database.describe()
            + " password="
            + database.password()
            + " tls="
            + database.tls());
    out.add("database.connectTimeout=" + Durations.human(connectTimeout));
    out.add(
        "jobs: pollInterval="
            + Durations.human(jobs.pollInterval())
            + " lease="
            + Durations.human(jobs.lease())
            + " heartbeat="
            + Durations.human(jobs.heartbeat())
            + " maxParallel="
            + jobs.maxParallel()
            + " shutdownGrace="
            + Durations.human(jobs.shutdownGrace()));
    out.add("workDir=" + workDir);
    out.add(
        "stream: listen="
            + stream.bind()
            + ":"
            + stream.port()
            + " tls="
            + (stream.tls() == null
                ? "off"
                : "cert "
                    + stream.tls().certPem()
                    + ", key "
                    + stream.tls().keyPem()
                    + ", ca "
                    + stream.tls().caPem())
            + " connectTimeout="
            + Durations.human(stream.connectTimeout())
            + " handshakeTimeout="
            + Durations.human(stream.handshakeTimeout())
            + " idleTimeout="
            + Durations.human(stream.idleTimeout())
            + " jobTimeout="
            + Durations.human(stream.jobTimeout()));
    out.add("tools=" + tools);
    out.add(
        "service: stop="
            + service.stop()
            + " start="
            + service.start()
            + " restart="
            + service.restart()
            + " timeout="
            + Durations.human(service.timeout()));
    out.add(
        "reseed: datadir="
            + (reseed.datadir() == null ? "(from the server)" : reseed.datadir())
            + " stagingDir="
            + (reseed.stagingDir() == null ? "(datadir's parent)" : reseed.stagingDir())
            + " keepOldDatadir="
            + reseed.keepOldDatadir()
            + " replicationUser="
            + reseed.replicationUser()
            + " replicationPassword="
            + reseed.replicationPassword()
            + " loadSessions="
            + reseed.loadSessions()
            + " loadThreads="
            + reseed.loadThreads()
            + " channels="
            + new java.util.TreeMap<>(reseed.channelPasswords()));
    out.add("security: databaseServerUser=" + security.databaseServerUser());
    out.add(
        "security: keyFile="
            + security.keyFile()
            + " allowSendTo="
            + (security.allowSendTo().isEmpty() ? "(any)" : security.allowSendTo())
            + " allowReplicateFrom="
            + (security.allowReplicateFrom().isEmpty() ? "(any)" : security.allowReplicateFrom()));
    out.add(
        "http="
            + (http.port() == 0
                ? "off"
                : http.bind()
                    + ":"
                    + http.port()
                    + " token="
                    + http.token()
                    + " "
                    + http.limits().describe()));
    return out;
  }

  /** {@code reseed.channels}: each a connection name and its password, by reference. */
  private static Map<String, Secret> channelPasswords(ConfigTree rs) {
    Map<String, Secret> out = new java.util.LinkedHashMap<>();
    for (ConfigTree ch : rs.list("channels")) {
      String name = ch.requiredString("name", "the replication connection's name, e.g. west");
      Secret pw = ch.secret("password", true);
      if (name == null || pw == null) {
        continue;
      }
      if (!name.matches("[A-Za-z0-9_.-]{1,64}")) {
        ch.problems()
            .add(ch.keyOf("name"), "must be letters, digits, '_', '.' or '-' (at most 64)");
      } else if (out.put(name, pw) != null) {
        ch.problems().add(ch.keyOf("name"), "names connection '" + name + "' twice");
      }
    }
    return out;
  }
}
