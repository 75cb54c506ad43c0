package io.dbjobs.common.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.util.List;
import org.junit.jupiter.api.Test;

class ToolArgumentsTest {
  @Test
  void putsNamesAfterTheEndOfOptions() {
    assertThat(ToolArguments.names("database", "on db1", List.of("shop", "a b", "x-y"), "fix"))
        .containsExactly("--", "shop", "a b", "x-y");
  }

  @Test
  void refusesAnOptionShapedNameNamingItAndWhatToDo() {
    assertThatThrownBy(
            () ->
                ToolArguments.names(
                    "database", "on db1", List.of("shop", "--no-data"), "Rename it."))
        .isInstanceOf(DbJobsException.class)
        .satisfies(e -> assertThat(((DbJobsException) e).code()).isEqualTo(ErrorCode.BAD_PARAMETER))
        .hasMessageContaining("the database '--no-data' on db1 starts with '-'")
        .hasMessageContaining("Rename it.");
    assertThatThrownBy(() -> ToolArguments.checked("table", "in x", "-t", "fix"))
        .hasMessageContaining("'-t'");
    assertThatThrownBy(() -> ToolArguments.checked("table", "in x", "", "fix"))
        .hasMessageContaining("empty");
  }
}
