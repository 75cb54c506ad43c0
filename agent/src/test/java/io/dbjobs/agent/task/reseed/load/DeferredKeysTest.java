package io.dbjobs.agent.task.reseed.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.common.logical.SchemaObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeferredKeysTest {
  private static SchemaObject table(String sql, String engine, boolean history) {
    return new SchemaObject(
        SchemaObject.Kind.TABLE,
        "db",
        "t",
        sql,
        null,
        null,
        null,
        null,
        null,
        new SchemaObject.TableLoad(
            engine, List.of(), history ? "row_start" : null, history ? "row_end" : null, true),
        null);
  }

  private static final String SBTEST =
      "CREATE TABLE `sbtest1` (\n"
          + "  `id` int(11) NOT NULL AUTO_INCREMENT,\n"
          + "  `k` int(11) NOT NULL DEFAULT 0,\n"
          + "  `c` char(120) NOT NULL DEFAULT '',\n"
          + "  PRIMARY KEY (`id`),\n"
          + "  UNIQUE KEY `c` (`c`),\n"
          + "  KEY `k_1` (`k`),\n"
          + "  KEY `we``ird` (`c`(10),`k`) COMMENT 'a, b'\n"
          + ") ENGINE=InnoDB AUTO_INCREMENT=1000001 DEFAULT CHARSET=latin1";

  @Test
  void createsTheTableWithoutItsPlainKeysAndAddsThemInOneAlter() {
    DeferredKeys d = DeferredKeys.of(table(SBTEST, "InnoDB", false));
    assertThat(d.create())
        .isEqualTo(
            "CREATE TABLE `sbtest1` (\n"
                + "  `id` int(11) NOT NULL AUTO_INCREMENT,\n"
                + "  `k` int(11) NOT NULL DEFAULT 0,\n"
                + "  `c` char(120) NOT NULL DEFAULT '',\n"
                + "  PRIMARY KEY (`id`),\n"
                + "  UNIQUE KEY `c` (`c`)\n"
                + ") ENGINE=InnoDB AUTO_INCREMENT=1000001 DEFAULT CHARSET=latin1");
    assertThat(d.alter("`db`.`sbtest1`"))
        .isEqualTo(
            "ALTER TABLE `db`.`sbtest1` ADD KEY `k_1` (`k`), ADD KEY `we``ird` (`c`(10),`k`)"
                + " COMMENT 'a, b'");
  }

  @Test
  void leavesAloneWhatItCannotSafelyChange() {
    assertThat(DeferredKeys.of(table(SBTEST, "MyISAM", false))).isNull();
    assertThat(DeferredKeys.of(table(SBTEST, "InnoDB", true))).isNull();
    assertThat(
            DeferredKeys.of(
                table(
                    SBTEST.replace(
                        "  KEY `k_1` (`k`),\n",
                        "  KEY `k_1` (`k`),\n  CONSTRAINT `f` FOREIGN KEY (`k`) REFERENCES `p` (`id`),\n"),
                    "InnoDB",
                    false)))
        .isNull();
    // a column whose comment holds a newline: definitions over several lines
    assertThat(
            DeferredKeys.of(
                table(
                    SBTEST.replace("DEFAULT 0,\n", "DEFAULT 0 COMMENT 'two\nlines',\n"),
                    "InnoDB",
                    false)))
        .isNull();
    // no plain key to defer
    assertThat(
            DeferredKeys.of(
                table(
                    "CREATE TABLE `t` (\n  `id` int(11) NOT NULL,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB",
                    "InnoDB",
                    false)))
        .isNull();
  }
}
