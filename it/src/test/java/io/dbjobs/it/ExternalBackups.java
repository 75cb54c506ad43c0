package io.dbjobs.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.testkit.ConfigFiles;
import io.dbjobs.testkit.DbServer;
import io.dbjobs.testkit.Shell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/** Backups taken with the plain tools, as an operator's own scripts would: for `backups import`. */
final class ExternalBackups {
  private ExternalBackups() {}

  private static Path cnf(Path dir, DbServer s) {
    return ConfigFiles.adminDefaults(dir, s);
  }

  static Path physical(Path dir, DbServer s) throws Exception {
    Path out = dir.resolve("ext-" + UUID.randomUUID() + ".xbstream");
    Path tmp = Files.createDirectories(dir.resolve("ext-tmp-" + UUID.randomUUID()));
    Shell.Result r =
        Shell.run(
            600,
            List.of(
                "/bin/sh",
                "-c",
                "mariadb-backup --defaults-file="
                    + cnf(dir, s)
                    + " --backup --stream=xbstream --target-dir="
                    + tmp
                    + " > "
                    + out));
    assertThat(r.exit()).as(r.output()).isZero();
    return out;
  }

  static Path logicalGz(Path dir, DbServer s, String... schemas) {
    Path out = dir.resolve("ext-" + UUID.randomUUID() + ".sql.gz");
    Shell.Result r =
        Shell.run(
            600,
            List.of(
                "/bin/sh",
                "-c",
                "mariadb-dump --defaults-file="
                    + cnf(dir, s)
                    + " --single-transaction --routines --triggers --events"
                    + " --hex-blob --master-data=2 --gtid --databases "
                    + String.join(" ", schemas)
                    + " | gzip > "
                    + out));
    assertThat(r.exit()).as(r.output()).isZero();
    return out;
  }
}
