package io.dbjobs.common.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void parsesShortAndIsoForms() {
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Durations.parse(" 5m ")).isEqualTo(Duration.ofMinutes(5));
    assertThat(Durations.parse("2h")).isEqualTo(Duration.ofHours(2));
    assertThat(Durations.parse("1d")).isEqualTo(Duration.ofDays(1));
    assertThat(Durations.parse("PT1M30S")).isEqualTo(Duration.ofSeconds(90));
    assertThatThrownBy(() -> Durations.parse("soon"))
        .hasMessageContaining("'soon' is not a duration");
  }

  @Test
  void printsShortHumanForms() {
    assertThat(Durations.human(Duration.ofMillis(450))).isEqualTo("450ms");
    assertThat(Durations.human(Duration.ofMillis(12_345))).isEqualTo("12.3s");
    assertThat(Durations.human(Duration.ofSeconds(245))).isEqualTo("4m05s");
    assertThat(Durations.human(Duration.ofMinutes(123))).isEqualTo("2h03m");
  }

  @Test
  void backoffDoublesUpToItsCapAndResets() {
    Backoff b = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(3));
    assertThat(b.nextDelay()).isEqualTo(Duration.ofMillis(500));
    assertThat(b.nextDelay()).isEqualTo(Duration.ofSeconds(1));
    assertThat(b.nextDelay()).isEqualTo(Duration.ofSeconds(2));
    assertThat(b.nextDelay()).isEqualTo(Duration.ofSeconds(3));
    assertThat(b.nextDelay()).isEqualTo(Duration.ofSeconds(3));
    assertThat(b.failures()).isEqualTo(5);
    b.reset();
    assertThat(b.nextDelay()).isEqualTo(Duration.ofMillis(500));
  }
}
