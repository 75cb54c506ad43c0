package io.dbjobs.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Writes dbjobs config files for test servers, the way an operator would: passwords in 0600 files
 * referenced from YAML, never in the YAML itself.
 */
public final class ConfigFiles {
  private ConfigFiles() {}

  /** Writes {@code value} to {@code dir/name} with mode 0600 and returns the path. */
  public static Path secret(Path dir, String name, String value) {
    try {
      Files.createDirectories(dir);
      Path f = dir.resolve(name);
      Files.writeString(f, value);
      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
      return f;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A 0600 option file in {@code dir} with the server's admin login over TCP, under {@code
   * [client]} (for the tests' and benchmarks' own runs of the plain tools).
   */
  public static Path adminDefaults(Path dir, DbServer s) {
    return secret(
        dir,
        "admin-" + s.name() + "-" + UUID.randomUUID() + ".cnf",
        "[client]\nuser="
            + s.adminUser()
            + "\npassword="
            + s.adminPassword()
            + "\nhost="
            + s.host()
            + "\nport="
            + s.port()
            + "\nprotocol=TCP\n");
  }

  public static Path write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** agent.yml for {@code server}, as user dbjobs_agent; {@code extra} is appended verbatim. */
  public static String agentYaml(DbServer server, Path passwordFile, Path workDir, String extra) {
    return "node: "
        + server.name()
        + "\n"
        + "database:\n"
        + "  host: "
        + server.host()
        + "\n"
        + "  port: "
        + server.port()
        + "\n"
        + "  user: "
        + DbUsers.AGENT
        + "\n"
        + "  password: {file: "
        + passwordFile
        + "}\n"
        + "  connectTimeout: 1s\n"
        + "workDir: "
        + workDir
        + "\n"
        + (extra.startsWith("security:") || extra.contains("\nsecurity:")
            ? ""
            : "security:\n  keyFile: " + TestKeys.agentFile(server.name()) + "\n")
        + extra;
  }

  /** The service commands of a local test server (its control script), as agent.yml YAML. */
  public static String serviceYaml(DbServer server) {
    Path ctl = server.controlScript();
    return "service:\n"
        + "  stop: ["
        + ctl
        + ", stop]\n"
        + "  start: ["
        + ctl
        + ", start]\n"
        + "  restart: ["
        + ctl
        + ", restart]\n"
        + "  timeout: 60s\n";
  }

  /** manager.yml with one cluster of {@code nodes}, as user dbjobs_manager. */
  public static String managerYaml(
      String cluster, List<DbServer> nodes, Path passwordFile, Path catalogDir, String extra) {
    return managerYaml(cluster, nodes, passwordFile, catalogDir, Map.of(), null, extra);
  }

  /**
   * manager.yml with one cluster of {@code nodes}, as user dbjobs_manager, with the agents' HTTP
   * ports by node name and the file holding their token (null: no agent endpoints).
   */
  public static String managerYaml(
      String cluster,
      List<DbServer> nodes,
      Path passwordFile,
      Path catalogDir,
      Map<String, Integer> agentPorts,
      Path agentTokenFile,
      String extra) {
    return managerYaml(
        cluster, nodes, passwordFile, catalogDir, agentPorts, Map.of(), agentTokenFile, extra);
  }

  /** As above, with each agent's stream port (reseeds connect there) by node name. */
  public static String managerYaml(
      String cluster,
      List<DbServer> nodes,
      Path passwordFile,
      Path catalogDir,
      Map<String, Integer> agentPorts,
      Map<String, Integer> streamPorts,
      Path agentTokenFile,
      String extra) {
    StringBuilder sb = new StringBuilder();
    // top-level, first: extra may go on with keys of the cluster (schedules...)
    sb.append(keysUnlessSet(extra, nodes));
    sb.append("catalog:\n  dir: ").append(catalogDir).append('\n');
    sb.append("connectTimeout: 2s\n");
    sb.append("clusters:\n");
    sb.append("  - name: ").append(cluster).append('\n');
    sb.append("    credentials:\n");
    sb.append("      user: ").append(DbUsers.MANAGER).append('\n');
    sb.append("      password: {file: ").append(passwordFile).append("}\n");
    if (agentTokenFile != null) {
      sb.append("    agentToken: {file: ").append(agentTokenFile).append("}\n");
    }
    sb.append("    nodes:\n");
    for (DbServer n : nodes) {
      sb.append("      - name: ").append(n.name()).append('\n');
      sb.append("        host: ").append(n.host()).append('\n');
      sb.append("        port: ").append(n.port()).append('\n');
      if (agentPorts.containsKey(n.name())) {
        sb.append("        agentPort: ").append(agentPorts.get(n.name())).append('\n');
      }
      if (streamPorts.containsKey(n.name())) {
        sb.append("        streamPort: ").append(streamPorts.get(n.name())).append('\n');
      }
    }
    sb.append(receiverUnlessSet(extra));
    sb.append(extra);
    return sb.toString();
  }

  /**
   * The manager's {@code security} section with the tests' job keys ({@link TestKeys}) for {@code
   * nodes}, unless {@code extra} has its own.
   */
  public static String keysUnlessSet(String extra, List<DbServer> nodes) {
    if (extra.startsWith("security:") || extra.contains("\nsecurity:")) {
      return "";
    }
    nodes.forEach(n -> TestKeys.managerFile(n.name()));
    return "security:\n  keysDir: " + TestKeys.managerDir() + "\n";
  }

  /**
   * The manager's {@code receiver} section on a free loopback port, unless {@code extra} (the rest
   * of a manager.yml) has its own: tests never depend on the default 4447, which another daemon (or
   * test) may hold.
   */
  public static String receiverUnlessSet(String extra) {
    if (extra.startsWith("receiver:") || extra.contains("\nreceiver:")) {
      return "";
    }
    return "receiver:\n  bind: 127.0.0.1\n  port: 0\n  advertise: 127.0.0.1\n";
  }
}
