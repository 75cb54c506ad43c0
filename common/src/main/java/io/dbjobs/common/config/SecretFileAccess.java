package io.dbjobs.common.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Checks that a secret file of the agent cannot be read by the database server's OS user ({@code
 * mysql}): a server that can read it hands it to any account with the FILE privilege ({@code
 * LOAD_FILE}, {@code LOAD DATA INFILE}) or to whoever takes the server over. A file readable by
 * everyone is refused; one the server's user can read (as its owner, or through a group it belongs
 * to) is refused too, unless the agent itself runs as that user, which then cannot be helped and is
 * a warning that says so.
 */
public final class SecretFileAccess {
  /** How bad a finding is. */
  public enum Verdict {
    OK,
    WARN,
    REFUSE
  }

  /** One file's verdict and what to do. */
  public record Finding(Verdict verdict, Path file, String message) {}

  private final String serverUser;
  private final String agentUser;
  private final Function<String, Optional<Set<String>>> groupsOf;

  /**
   * @param serverUser the OS user the database server runs as
   * @param agentUser the OS user this process runs as
   * @param groupsOf the groups a user belongs to (primary and supplementary), empty when the user
   *     does not exist
   */
  public SecretFileAccess(
      String serverUser, String agentUser, Function<String, Optional<Set<String>>> groupsOf) {
    this.serverUser = serverUser;
    this.agentUser = agentUser;
    this.groupsOf = groupsOf;
  }

  /** For this host: the current user, groups from {@code /etc/passwd} and {@code /etc/group}. */
  public static SecretFileAccess forHost(String serverUser) {
    return new SecretFileAccess(
        serverUser, System.getProperty("user.name"), SecretFileAccess::groupsFromEtc);
  }

  /** The verdict for one secret file. */
  public Finding check(Path file) {
    PosixFileAttributes a;
    try {
      a = Files.readAttributes(file, PosixFileAttributes.class);
    } catch (IOException | UnsupportedOperationException e) {
      return new Finding(
          Verdict.REFUSE,
          file,
          "cannot read the owner and mode of secret file " + file + ": " + e.getMessage());
    }
    Set<PosixFilePermission> p = a.permissions();
    String mode = java.nio.file.attribute.PosixFilePermissions.toString(p);
    String owner = a.owner().getName();
    String group = a.group().getName();
    String what = file + " (" + mode + " " + owner + ":" + group + ")";
    if (p.contains(PosixFilePermission.OTHERS_READ)) {
      return new Finding(
          Verdict.REFUSE,
          file,
          "secret file " + what + " is readable by everyone: chmod o-r " + file);
    }
    Optional<Set<String>> serverGroups = groupsOf.apply(serverUser);
    if (serverGroups.isEmpty()) {
      return new Finding(
          Verdict.WARN,
          file,
          "no OS user "
              + serverUser
              + " on this host, so whether the database server can read "
              + what
              + " is not known; set security.databaseServerUser to the user mariadbd runs as");
    }
    List<String> ways = new ArrayList<>();
    if (owner.equals(serverUser) && p.contains(PosixFilePermission.OWNER_READ)) {
      ways.add("owns it");
    }
    if (p.contains(PosixFilePermission.GROUP_READ) && serverGroups.get().contains(group)) {
      ways.add("is in its group " + group);
    }
    if (ways.isEmpty()) {
      return new Finding(
          Verdict.OK, file, "secret file " + what + ": not readable by " + serverUser);
    }
    String readable =
        "secret file "
            + what
            + " is readable by "
            + serverUser
            + ", the database server's user ("
            + String.join(", ", ways)
            + "): the server, or an account with the FILE privilege, can read it";
    if (agentUser.equals(serverUser)) {
      return new Finding(
          Verdict.WARN,
          file,
          readable
              + ". The agent runs as "
              + agentUser
              + " too, so the file cannot be kept from the server; keep secure_file_priv set"
              + " and grant FILE to no one");
    }
    return new Finding(
        Verdict.REFUSE,
        file,
        readable
            + "; make it readable by the agent's user "
            + agentUser
            + " only: chown "
            + agentUser
            + " "
            + file
            + " && chmod 600 "
            + file);
  }

  /** Checks each file-backed secret ({@code file:/path} source); env secrets are skipped. */
  public List<Finding> check(List<Secret> secrets) {
    List<Finding> out = new ArrayList<>();
    for (Secret s : secrets) {
      if (s != null && s.source().startsWith("file:")) {
        out.add(check(Path.of(s.source().substring("file:".length()))));
      }
    }
    return out;
  }

  /** A user's primary and supplementary groups from {@code /etc/passwd} and {@code /etc/group}. */
  static Optional<Set<String>> groupsFromEtc(String user) {
    try {
      return groupsOf(
          user,
          Files.readAllLines(Path.of("/etc/passwd")),
          Files.readAllLines(Path.of("/etc/group")));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Parses passwd and group lines (name:x:uid:gid:... / name:x:gid:member,member). */
  static Optional<Set<String>> groupsOf(String user, List<String> passwd, List<String> groups) {
    String gid = null;
    for (String line : passwd) {
      String[] f = line.split(":", -1);
      if (f.length >= 4 && f[0].equals(user)) {
        gid = f[3];
      }
    }
    if (gid == null) {
      return Optional.empty();
    }
    Set<String> out = new HashSet<>();
    for (String line : groups) {
      String[] f = line.split(":", -1);
      if (f.length < 4) {
        continue;
      }
      if (f[2].equals(gid) || List.of(f[3].split(",")).contains(user)) {
        out.add(f[0]);
      }
    }
    return Optional.of(out);
  }
}
