package io.dbjobs.common.backup;

import java.util.Locale;

/** Which server family a node runs: it decides the backup tools and their flags. */
public enum ServerFlavor {
  MARIADB("mariadb"),
  MYSQL("mysql");

  private final String wireName;

  ServerFlavor(String wireName) {
    this.wireName = wireName;
  }

  /** The name in trailer metadata ({@link StreamMeta#SERVER_FLAVOR}): mariadb or mysql. */
  public String wireName() {
    return wireName;
  }

  /**
   * The flavor of a server from {@code @@version} and {@code @@version_comment}. MariaDB says so in
   * its version ({@code 10.11.19-MariaDB-0+deb12u1-log}) while its comment is the packager's
   * ({@code Debian 12}, {@code mariadb.org binary distribution}); MySQL and its builds (Percona
   * Server, MySQL Community/Enterprise) never mention MariaDB in either.
   */
  public static ServerFlavor detect(String version, String versionComment) {
    String v =
        (version == null ? "" : version) + " " + (versionComment == null ? "" : versionComment);
    return v.toLowerCase(Locale.ROOT).contains("mariadb") ? MARIADB : MYSQL;
  }

  @Override
  public String toString() {
    return wireName;
  }
}
