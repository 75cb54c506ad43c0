package io.dbjobs.common.logical;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SqlTest {
  @Test
  void quotesIdentifiersWithBackticksDoubled() {
    assertThat(Sql.id("a`b")).isEqualTo("`a``b`");
    assertThat(Sql.id("--all-databases", "t; DROP")).isEqualTo("`--all-databases`.`t; DROP`");
  }

  @Test
  void inlinesOnlySettingsThatNeedNoEscaping() {
    assertThat(Sql.sqlModeLiteral("STRICT_TRANS_TABLES,NO_ZERO_DATE"))
        .isEqualTo("'STRICT_TRANS_TABLES,NO_ZERO_DATE'");
    assertThat(Sql.timeZoneLiteral("Europe/Paris")).isEqualTo("'Europe/Paris'");
    assertThatThrownBy(() -> Sql.sqlModeLiteral("ANSI', sql_log_bin='1"))
        .hasMessageContaining("sql_mode");
    assertThatThrownBy(() -> Sql.nameLiteral("utf8mb4\\' OR 1")).hasMessageContaining("collation");
    assertThatThrownBy(() -> Sql.timeZoneLiteral("+00:00'")).hasMessageContaining("time zone");
  }
}
