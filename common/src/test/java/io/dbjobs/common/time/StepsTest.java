package io.dbjobs.common.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class StepsTest {
  @Test
  void aStepLineNamesTheStepItsWallTimeAndTheJvmUptime() {
    // bench/ reads these lines back (StreamBench's per-step breakdown): keep the shape
    assertThat(Steps.line("job submitted", Instant.ofEpochMilli(1_796_306_428_453L), 5749))
        .isEqualTo("step job submitted at 1796306428453 (+5749 ms since the JVM started)");
  }
}
