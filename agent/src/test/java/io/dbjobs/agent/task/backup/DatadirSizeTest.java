package io.dbjobs.agent.task.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatadirSizeTest {
  @TempDir Path datadir;

  private void file(String name, int size) throws IOException {
    Path f = datadir.resolve(name);
    Files.createDirectories(f.getParent());
    Files.write(f, new byte[size]);
  }

  @Test
  void countsWhatAPhysicalBackupCopiesAndNothingElse() throws IOException {
    file("ibdata1", 1000);
    file("undo001", 100);
    file("shop/orders.ibd", 500);
    file("shop/orders.frm", 10);
    file("mysql/user.MAD", 20);
    file("aria_log.00000001", 30);
    file("ib_logfile0", 100_000);
    file("ibtmp1", 100_000);
    file("mysql-bin.000001", 100_000);
    file("mysql-bin.index", 100_000);
    file("relay-bin.000002", 100_000);
    file("db1.err", 100_000);
    file("db1-slow.log", 100_000);
    file("mariadbd.pid", 100_000);
    file("#innodb_redo/#ib_redo5", 100_000);
    file("shop/#sql-1a2b.ibd", 100_000);
    Long size =
        DatadirSize.of(
            datadir,
            List.of(
                datadir.resolve("mysql-bin").toString(), datadir.resolve("relay-bin").toString()));
    assertThat(size).isEqualTo(1000 + 100 + 500 + 10 + 20 + 30);
  }

  @Test
  void anUnreadableDatadirGivesNoEstimate() {
    assertThat(DatadirSize.of(datadir.resolve("missing"), List.of())).isNull();
  }
}
