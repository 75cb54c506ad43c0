package io.dbjobs.common.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TaskTest {

  @Test
  void unknownTaskNamesEveryKnownTask() {
    assertThatThrownBy(() -> Task.require("flashbackmariadbackup"))
        .isInstanceOf(DbJobsException.class)
        .hasMessageContaining("unknown task 'flashbackmariadbackup'")
        .hasMessageContaining("known tasks: backup-physical, backup-logical")
        .satisfies(e -> assertThat(((DbJobsException) e).code()).isEqualTo(ErrorCode.UNKNOWN_TASK));
  }

  @Test
  void fillsDefaultsAndKeepsGivenValues() {
    assertThat(Task.OPTIMIZE.validate(Map.of()))
        .containsEntry("mode", "optimize")
        .doesNotContainKey("tables");
    assertThat(Task.OPTIMIZE.validate(Map.of("tables", "a.b, c.*", "mode", "analyze")))
        .containsEntry("tables", "a.b, c.*")
        .containsEntry("mode", "analyze");
  }

  @Test
  void rejectsUnknownParameterListingTheKnownOnes() {
    assertThatThrownBy(() -> Task.OPTIMIZE.validate(Map.of("tabels", "a.b")))
        .hasMessage("task optimize: unknown parameter 'tabels'; known parameters: tables, mode");
    assertThatThrownBy(() -> Task.STOP.validate(Map.of("force", "true")))
        .hasMessageContaining("known parameters: timeout");
  }

  @Test
  void rejectsMalformedValuesNamingTheParameter() {
    assertThatThrownBy(() -> Task.OPTIMIZE.validate(Map.of("mode", "defrag")))
        .hasMessage("task optimize: parameter 'mode'='defrag' is not one of optimize, analyze");
    assertThatThrownBy(() -> Task.OPTIMIZE.validate(Map.of("tables", "orders")))
        .hasMessageContaining("'orders', which is not db.table or db.*");
    assertThatThrownBy(() -> Task.RESTART.validate(Map.of("timeout", "soon")))
        .hasMessageContaining("parameter 'timeout'='soon' is not a duration");
  }

  @Test
  void destructiveTasksAreTheOnesThatStopOrReplaceData() {
    assertThat(Task.values())
        .filteredOn(Task::isDestructive)
        .containsExactlyInAnyOrder(
            Task.RESEED_PHYSICAL, Task.RESEED_LOGICAL, Task.FLASHBACK, Task.STOP, Task.RESTART);
  }

  @Test
  void statesKeepReplicationManagersNumbers() {
    assertThat(JobState.fromCode(0)).isEqualTo(JobState.QUEUED);
    assertThat(JobState.fromCode(2)).isEqualTo(JobState.WAITING_FOR_STREAM);
    assertThat(JobState.fromCode(6)).isEqualTo(JobState.POST_PROCESSING_FAILED);
    assertThat(JobState.parse("failed")).isEqualTo(JobState.FAILED);
    assertThat(JobState.parse("7")).isEqualTo(JobState.CANCELLED);
    assertThatThrownBy(() -> JobState.parse("done"))
        .hasMessageContaining("known states: queued, running");
  }

  @Test
  void malformedParamsJsonIsABadParameterNotACrash() {
    assertThatThrownBy(() -> JobParams.parse("{\"a\": [1]}"))
        .isInstanceOf(DbJobsException.class)
        .hasMessageContaining("not a JSON object of text values");
    assertThat(JobParams.parse(JobParams.toJson(Map.of("b", "2", "a", "1"))))
        .containsExactly(Map.entry("a", "1"), Map.entry("b", "2"));
  }
}
