package io.dbjobs.manager.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.manager.config.ClusterPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileOperatorStateTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC);
  @TempDir Path dir;

  private FileOperatorState state() {
    return new FileOperatorState(FileOperatorState.fileIn(dir), CLOCK);
  }

  @Test
  void aShunAndAPolicySurviveANewInstanceAndAreSeenByAnother() {
    FileOperatorState first = state();
    FileOperatorState other = state();
    first.shun("db3", "disk\nreplacement", "ops@host");
    first.setPolicy("prod", ClusterPolicy.MAINTENANCE, "upgrade", "ops@host");
    assertThat(other.shuns()).containsOnlyKeys("db3");
    Shun s = state().shuns().get("db3");
    assertThat(s.reason()).isEqualTo("disk replacement");
    assertThat(s.by()).isEqualTo("ops@host");
    assertThat(s.since()).isEqualTo(CLOCK.instant());
    assertThat(state().policies().get("prod").policy()).isEqualTo(ClusterPolicy.MAINTENANCE);
    assertThat(Files.exists(dir.resolve(".state/operator-state.json"))).isTrue();
    assertThat(first.where()).contains(".state/operator-state.json");
  }

  @Test
  void welcomeAndClearSayWhetherThereWasSomethingToUndo() {
    FileOperatorState s = state();
    assertThat(s.welcome("db3")).isFalse();
    s.shun("db3", null, "ops");
    assertThat(s.welcome("db3")).isTrue();
    assertThat(s.shuns()).isEmpty();
    assertThat(s.clearPolicy("prod")).isFalse();
    s.setPolicy("prod", ClusterPolicy.AUTOMATIC, "", "ops");
    assertThat(s.clearPolicy("prod")).isTrue();
    assertThat(state().policies()).isEmpty();
  }

  @Test
  void concurrentChangesFromSeveralInstancesAreAllKept() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> f = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        int n = i;
        f.add(pool.submit(() -> state().shun("db" + n, "r", "t")));
      }
      for (Future<?> x : f) {
        x.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(state().shuns()).hasSize(40);
  }

  @Test
  void aDamagedFileIsReportedNotForgotten() throws Exception {
    Files.createDirectories(dir.resolve(".state"));
    Files.writeString(dir.resolve(".state/operator-state.json"), "{not json");
    assertThatThrownBy(() -> state().shuns())
        .isInstanceOf(DbJobsException.class)
        .hasMessageContaining("cannot read the operator state")
        .hasMessageContaining("move it away")
        .satisfies(
            e -> assertThat(((DbJobsException) e).code()).isEqualTo(ErrorCode.CATALOG_ERROR));
    assertThatThrownBy(() -> state().shun("db1", "", "ops")).isInstanceOf(DbJobsException.class);
  }
}
