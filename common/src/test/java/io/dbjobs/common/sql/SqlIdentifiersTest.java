package io.dbjobs.common.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SqlIdentifiersTest {
  @Test
  void quotesWithBackticksDoubledInside() {
    assertThat(SqlIdentifiers.quote("shop")).isEqualTo("`shop`");
    assertThat(SqlIdentifiers.quote("a`b")).isEqualTo("`a``b`");
    assertThat(SqlIdentifiers.quote("x`; DROP DATABASE y; -- "))
        .isEqualTo("`x``; DROP DATABASE y; -- `");
    assertThat(SqlIdentifiers.quote("--no-data")).isEqualTo("`--no-data`");
    assertThat(SqlIdentifiers.qualified("s'\\", "t\n")).isEqualTo("`s'\\`.`t\n`");
  }

  @Test
  void refusesNamesNoServerCanHave() {
    assertThatThrownBy(() -> SqlIdentifiers.quote("")).hasMessageContaining("empty");
    assertThatThrownBy(() -> SqlIdentifiers.quote("a\0b")).hasMessageContaining("U+0000");
  }

  @Test
  void quotesLiteralsForANoBackslashEscapesSession() {
    assertThat(PinnedLiterals.underNoBackslashEscapes("p'w\\d\"")).isEqualTo("'p''w\\d\"'");
    assertThatThrownBy(() -> PinnedLiterals.underNoBackslashEscapes("a\0"))
        .hasMessageContaining("U+0000");
  }
}
