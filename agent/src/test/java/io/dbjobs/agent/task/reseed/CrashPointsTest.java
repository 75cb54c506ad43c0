package io.dbjobs.agent.task.reseed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CrashPointsTest {
  @Test
  void areOffWithoutTheSystemProperty() {
    assertThat(System.getProperty(CrashPoints.PROPERTY)).isNull();
    CrashPoints.fromSystemProperty().reach(CrashPoint.SWAP_OUT_HALF); // does not halt
  }

  @Test
  void refuseAMisspeltPointInsteadOfNeverCrashing() {
    String before = System.getProperty(CrashPoints.PROPERTY);
    System.setProperty(CrashPoints.PROPERTY, "swap.out.halfway");
    try {
      assertThatThrownBy(CrashPoints::fromSystemProperty)
          .hasMessageContaining("swap.out.halfway")
          .hasMessageContaining("names no crash point");
    } finally {
      if (before == null) {
        System.clearProperty(CrashPoints.PROPERTY);
      } else {
        System.setProperty(CrashPoints.PROPERTY, before);
      }
    }
  }

  @Test
  void reachHalfwayPointsOnceWhateverTheCount() {
    for (int total : new int[] {1, 2, 3, 6, 7}) {
      List<Integer> at = new ArrayList<>();
      for (int i = 1; i <= total; i++) {
        int n = i;
        CrashPoints.with(p -> at.add(n)).reachHalfway(CrashPoint.SWAP_IN_HALF, i, total);
      }
      assertThat(at).as("of %d", total).containsExactly(Math.max(1, total / 2));
    }
  }

  @Test
  void everyPointHasAUniqueNameAndAnOption() {
    assertThat(Arrays.stream(CrashPoint.values()).map(CrashPoint::id)).doesNotHaveDuplicates();
    assertThat(CrashPoints.jvmOption(CrashPoint.SWAP_VERIFIED))
        .isEqualTo("-Ddbjobs.test.crashAt=swap.verified");
    assertThat(CrashPoint.byId("swap.verified")).contains(CrashPoint.SWAP_VERIFIED);
  }
}
