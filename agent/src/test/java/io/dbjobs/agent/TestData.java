package io.dbjobs.agent;

import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.Shell;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/** Data and scripts the backup tests share. */
final class TestData {
  private TestData() {}

  /**
   * Creates {@code schema.filler} with {@code 2^doublings} rows of about 200 bytes each (20
   * doublings: some 250 MB), from MariaDB's sequence engine ({@code seq_1_to_n}), so no temporary
   * table is needed.
   */
  static void filler(DbServer s, String schema, int doublings) {
    s.execute(
        "CREATE DATABASE IF NOT EXISTS `" + schema + "`",
        "CREATE TABLE `"
            + schema
            + "`.filler (id INT AUTO_INCREMENT PRIMARY KEY, a VARCHAR(200) NOT NULL, b INT NOT"
            + " NULL, c DATETIME NOT NULL, KEY (b)) ENGINE=InnoDB");
    long rows = 1L << doublings;
    long batch = 1L << 16;
    for (long from = 1; from <= rows; from += batch) {
      s.execute(
          "INSERT INTO `"
              + schema
              + "`.filler (a, b, c) SELECT CONCAT(MD5(RAND()), REPEAT('y', 100), seq),"
              + " FLOOR(RAND() * 1000000), '2026-01-01' - INTERVAL seq SECOND FROM `"
              + schema
              + "`.seq_"
              + from
              + "_to_"
              + Math.min(rows, from + batch - 1));
    }
  }

  /** Writes an executable shell script. */
  static Path script(Path file, String body) {
    try {
      Files.writeString(file, "#!/bin/bash\n" + body + "\n");
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs a shell command line; fails with its output unless it exits 0. */
  static String sh(long timeoutSeconds, String commandLine) {
    Shell.Result r = Shell.run(timeoutSeconds, List.of("/bin/bash", "-c", commandLine));
    if (r.exit() != 0) {
      throw new IllegalStateException(
          "exit " + r.exit() + " from " + commandLine + ":\n" + r.output());
    }
    return r.output();
  }

  /** Seconds a shell command line takes (it must succeed). */
  static double timed(long timeoutSeconds, String commandLine) {
    long t0 = System.nanoTime();
    sh(timeoutSeconds, commandLine);
    return (System.nanoTime() - t0) / 1e9;
  }
}
