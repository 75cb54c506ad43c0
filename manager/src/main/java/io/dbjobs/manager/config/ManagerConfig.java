package io.dbjobs.manager.config;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.config.ConfigProblems;
import io.dbjobs.common.config.ConfigTree;
import io.dbjobs.common.config.DatabaseEndpoint;
import io.dbjobs.common.config.Secret;
import io.dbjobs.common.db.DbTls;
import io.dbjobs.common.job.ReplicationTls;
import io.dbjobs.common.net.HostPort;
import io.dbjobs.common.time.Durations;
import io.dbjobs.manager.catalog.RetentionPolicy;
import io.dbjobs.manager.receive.ReceiverSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The manager's settings from {@code manager.yml}: clusters and their nodes (credentials by
 * reference), the backup catalog, and how long to wait for nodes; for {@code dbjobs serve} also the
 * HTTP API ({@link ApiConfig}), the watchdog ({@link WatchdogConfig}), the scheduler ({@link
 * SchedulerConfig}, misfire policy included) and each cluster's schedules ({@link ScheduleConfig}).
 * Validated as a whole at start; immutable afterwards. Defaults are where each key is read, below,
 * and in {@code deploy/manager.yml}.
 *
 * <p>Catalog and receiver keys:
 *
 * <ul>
 *   <li>{@code catalog.dir}: where backups and log copies are stored; default {@code
 *       /var/lib/dbjobs/catalog}
 *   <li>{@code catalog.retention.keepLast} (default 3), {@code keepDaily} (7), {@code keepWeekly}
 *       (4): see {@link RetentionPolicy}
 *   <li>{@code receiver.*}: where agents send backups and logs, see {@link ReceiverSettings}
 * </ul>
 *
 * @param retention which backups to keep, per node and type
 * @param receiver where the manager listens for streams from agents
 * @param schedules every cluster's schedules, in config order (defaults included)
 * @param logicalDump how logicalmaster dumps a MariaDB primary ({@code logicalDump.*})
 */
public record ManagerConfig(
    List<ClusterConfig> clusters,
    Path catalogDir,
    Duration connectTimeout,
    Path source,
    RetentionPolicy retention,
    ReceiverSettings receiver,
    ApiConfig api,
    WatchdogConfig watchdog,
    SchedulerConfig scheduler,
    List<ScheduleConfig> schedules,
    Path mariadbDump,
    SecurityConfig security,
    LogicalDumpSettings logicalDump) {

  /**
   * Node and cluster names: they name folders in the catalog and appear in stream ids, so they are
   * letters, digits, '.', '_' and '-', starting with a letter or digit, at most 64 characters.
   */
  private static final java.util.regex.Pattern NAME =
      java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  public ManagerConfig {
    clusters = List.copyOf(clusters);
    schedules = List.copyOf(schedules);
  }

  /**
   * Settings with only clusters and catalog: retention, receiver, API, watchdog and scheduler at
   * their defaults.
   */
  public ManagerConfig(
      List<ClusterConfig> clusters, Path catalogDir, Duration connectTimeout, Path source) {
    this(
        clusters,
        catalogDir,
        connectTimeout,
        source,
        RetentionPolicy.defaults(),
        ReceiverSettings.defaults(),
        ApiConfig.defaults(),
        WatchdogConfig.defaults(),
        SchedulerConfig.defaults(),
        List.of(),
        Path.of("/usr/bin/mariadb-dump"),
        SecurityConfig.defaults(),
        LogicalDumpSettings.defaults());
  }

  public static ManagerConfig load(Path file, UnaryOperator<String> env) {
    ConfigProblems problems = new ConfigProblems();
    ConfigTree root = ConfigTree.load(file, problems, env);
    ManagerConfig c = read(root, file);
    root.rejectUnknownKeys();
    problems.throwIfAny(file.toString());
    return c;
  }

  public static ManagerConfig fromYaml(
      String yaml, String source, UnaryOperator<String> env, Path baseDir) {
    ConfigProblems problems = new ConfigProblems();
    ConfigTree root = ConfigTree.parse(yaml, source, problems, env, baseDir);
    ManagerConfig c = read(root, Path.of(source));
    root.rejectUnknownKeys();
    problems.throwIfAny(source);
    return c;
  }

  static ManagerConfig read(ConfigTree root, Path source) {
    Duration connectTimeout =
        root.duration("connectTimeout", Duration.ofSeconds(5), Duration.ofMillis(100));
    ConfigTree catalogTree = root.child("catalog");
    Path catalog = catalogTree.path("dir", Path.of("/var/lib/dbjobs/catalog"));
    RetentionPolicy retention = RetentionPolicy.read(catalogTree.child("retention"));
    ReceiverSettings receiver = ReceiverSettings.read(root.child("receiver"));
    ApiConfig api = ServeSettings.api(root.child("api"));
    WatchdogConfig watchdog = ServeSettings.watchdog(root.child("watchdog"));
    SchedulerConfig scheduler = ServeSettings.scheduler(root.child("scheduler"));
    List<ScheduleConfig> schedules = new ArrayList<>();
    // tools.mariadbDump: the dump tool for reseed --method logicalmaster (default
    // /usr/bin/mariadb-dump)
    Path mariadbDump = root.child("tools").path("mariadbDump", Path.of("/usr/bin/mariadb-dump"));
    SecurityConfig security = SecurityConfig.read(root.child("security"));
    // logicalDump.*: how reseed --method logicalmaster dumps a MariaDB primary (see
    // LogicalDumpSettings)
    LogicalDumpSettings logicalDump = LogicalDumpSettings.read(root.child("logicalDump"));
    List<ClusterConfig> clusters = new ArrayList<>();
    Map<String, String> nodeOwners = new HashMap<>();
    List<ConfigTree> clusterTrees = root.list("clusters");
    // a CLI that only talks to a daemon (api.url) needs no clusters of its own
    if (clusterTrees.isEmpty() && !root.has("clusters") && api.url() == null) {
      root.problems()
          .add(
              "clusters",
              "is required: list your clusters and their nodes (see deploy/manager.yml)");
    }
    for (ConfigTree ct : clusterTrees) {
      String name = ct.requiredString("name", "the cluster's name, e.g. prod");
      if (name != null && !NAME.matcher(name).matches()) {
        ct.problems().add(ct.keyOf("name"), badName(name));
        name = null;
      }
      ConfigTree creds = ct.child("credentials");
      String user = creds.string("user", "dbjobs_manager");
      Secret password = creds.secret("password", false);
      int defaultDbPort = ct.integer("port", DatabaseEndpoint.DEFAULT_PORT, 1, 65535);
      int defaultAgentPort = ct.integer("agentPort", 4445, 1, 65535);
      int defaultStreamPort = ct.integer("streamPort", 4444, 1, 65535);
      Secret agentToken = ct.secret("agentToken", false);
      // tls: required|preferred|off (default preferred), ca: {file: /path/ca.pem} (with required:
      // verify the nodes' certificates against it): the manager's JDBC connections to the nodes
      DbTls tls = DbTls.read(ct);
      ClusterHealthConfig health = ClusterHealthConfig.read(ct);
      ReplicationTls replicationTls = replicationTls(ct);
      List<NodeConfig> nodes = new ArrayList<>();
      List<ConfigTree> nodeTrees = ct.list("nodes");
      if (nodeTrees.isEmpty()) {
        ct.problems()
            .add(ct.keyOf("nodes"), "is required: at least one node with a name and a host");
      }
      for (ConfigTree nt : nodeTrees) {
        String nodeName =
            nt.requiredString("name", "the node's name, as its agent's 'node' setting says");
        if (nodeName != null && !NAME.matcher(nodeName).matches()) {
          nt.problems().add(nt.keyOf("name"), badName(nodeName));
          nodeName = null;
        }
        String host = nt.requiredString("host", "the node's address");
        if (host != null && HostPort.problemWithHost(host) != null) {
          nt.problems().add(nt.keyOf("host"), HostPort.problemWithHost(host));
          host = null;
        }
        int port = nt.integer("port", defaultDbPort, 1, 65535);
        String nodeUser = nt.string("user", user);
        Secret nodePassword = nt.has("password") ? nt.secret("password", false) : password;
        int agentPort = nt.integer("agentPort", defaultAgentPort, 1, 65535);
        int streamPort = nt.integer("streamPort", defaultStreamPort, 1, 65535);
        if (nodeName != null) {
          String previous = nodeOwners.putIfAbsent(nodeName, String.valueOf(name));
          if (previous != null) {
            ct.problems()
                .add(
                    nt.keyOf("name"),
                    "node name '"
                        + nodeName
                        + "' is already used in cluster '"
                        + previous
                        + "'; node names must be unique across clusters");
            continue;
          }
        }
        if (nodeName == null || host == null || name == null) {
          continue;
        }
        nodes.add(
            new NodeConfig(
                name,
                nodeName,
                new DatabaseEndpoint(host, port, null, nodeUser, nodePassword, tls),
                agentPort,
                streamPort));
      }
      if (name != null) {
        clusters.add(new ClusterConfig(name, nodes, agentToken, health, replicationTls));
        schedules.addAll(ServeSettings.schedules(ct, name, nodes, scheduler.timeZone()));
      }
    }
    return new ManagerConfig(
        clusters,
        catalog,
        connectTimeout,
        source,
        retention,
        receiver,
        api,
        watchdog,
        scheduler,
        schedules,
        mariadbDump,
        security,
        logicalDump);
  }

  /** The schedules of one cluster, in config order. */
  public List<ScheduleConfig> schedules(String cluster) {
    return schedules.stream().filter(s -> s.cluster().equals(cluster)).toList();
  }

  private static String badName(String name) {
    return "'"
        + name
        + "' cannot be used: names are letters, digits, '.', '_' and '-', starting with a letter"
        + " or digit, at most 64 characters (they name folders in the backup catalog)";
  }

  /** Every node, in config order. */
  public List<NodeConfig> nodes() {
    List<NodeConfig> out = new ArrayList<>();
    clusters.forEach(c -> out.addAll(c.nodes()));
    return out;
  }

  /**
   * The node named {@code name} ({@code db2} or {@code prod/db2}).
   *
   * @throws DbJobsException NOT_FOUND listing the known nodes
   */
  public NodeConfig node(String name) {
    for (NodeConfig n : nodes()) {
      if (n.name().equals(name) || n.qualifiedName().equals(name)) {
        return n;
      }
    }
    Map<String, List<String>> byCluster = new LinkedHashMap<>();
    nodes()
        .forEach(n -> byCluster.computeIfAbsent(n.cluster(), k -> new ArrayList<>()).add(n.name()));
    throw new DbJobsException(
        ErrorCode.NOT_FOUND,
        "no node named '" + name + "' in " + source + "; known nodes: " + byCluster);
  }

  public ClusterConfig cluster(String name) {
    return clusters.stream()
        .filter(c -> c.name().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new DbJobsException(
                    ErrorCode.NOT_FOUND, "no cluster named '" + name + "' in " + source));
  }

  /** The effective settings, one per line, secrets masked. */
  public List<String> describe() {
    List<String> out = new ArrayList<>();
    out.add("catalog.dir=" + catalogDir);
    out.add(
        "catalog.retention: keepLast="
            + retention.keepLast()
            + " keepDaily="
            + retention.keepDaily()
            + " keepWeekly="
            + retention.keepWeekly());
    out.add(receiver.describe());
    out.add("connectTimeout=" + Durations.human(connectTimeout));
    out.add(security.describe());
    out.addAll(ServeSettings.describe(this));
    for (ClusterConfig c : clusters) {
      out.add(
          "cluster "
              + c.name()
              + ": agentToken="
              + c.agentToken()
              + " policy="
              + c.health().policy()
              + " autoReseed="
              + c.health().autoReseed()
              + " lagThreshold="
              + Durations.human(c.health().lagThreshold()));
      for (NodeConfig n : c.nodes()) {
        out.add(
            "  node "
                + n.name()
                + ": "
                + n.database().describe()
                + " password="
                + n.database().password()
                + " tls="
                + n.database().tls()
                + " agentPort="
                + n.agentPort()
                + " streamPort="
                + n.streamPort());
      }
    }
    return out;
  }

  /**
   * {@code clusters[].replicationTls: {ca, cert, key}}, default none: PEM files on the cluster's
   * nodes (absolute paths) with which every repositioning by reseed, flashback or recover sets up
   * replication over TLS ({@code MASTER_SSL=1, MASTER_SSL_CA=...}); {@code cert} and {@code key} go
   * together.
   */
  private static ReplicationTls replicationTls(ConfigTree ct) {
    if (!ct.has("replicationTls")) {
      return null;
    }
    ConfigTree t = ct.child("replicationTls");
    String ca = t.string("ca", null);
    String cert = t.string("cert", null);
    String key = t.string("key", null);
    String problem = ReplicationTls.problem(ca, cert, key);
    if (problem != null) {
      t.problems().add(ct.keyOf("replicationTls"), problem);
      return null;
    }
    return new ReplicationTls(ca, cert, key);
  }
}
