package io.dbjobs.common.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.testkit.LogCapture;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ThrottledLogTest {
  private static final String LOGGER = "io.dbjobs.test.ThrottledLogTest";

  private final AtomicLong clock = new AtomicLong();
  private final ThrottledLog log =
      new ThrottledLog(
          LoggerFactory.getLogger(LOGGER), "refusals", 3, Duration.ofSeconds(10), clock::get);

  @Test
  void logsTheFirstOfAWindowAndSummarisesTheRestWhenItEnds() {
    try (LogCapture logs = LogCapture.start()) {
      for (int i = 1; i <= 1000; i++) {
        log.warn("refused connection " + i);
      }
      log.flush();
      assertThat(logs.linesContaining(LOGGER)).hasSize(3);

      clock.addAndGet(Duration.ofSeconds(10).toNanos());
      log.flush();
      log.flush();

      assertThat(logs.linesContaining(LOGGER))
          .containsExactly(
              "WARN " + LOGGER + " refused connection 1",
              "WARN " + LOGGER + " refused connection 2",
              "WARN " + LOGGER + " refused connection 3",
              "WARN "
                  + LOGGER
                  + " ... and 997 more refusals in the last 10.0s (not logged one by one); the"
                  + " last: refused connection 1000");
    }
  }

  @Test
  void startsANewWindowWithTheNextWarningAfterOne() {
    try (LogCapture logs = LogCapture.start()) {
      for (int i = 1; i <= 4; i++) {
        log.warn("w" + i);
      }
      clock.addAndGet(Duration.ofSeconds(11).toNanos());

      log.warn("w5");

      assertThat(logs.linesContaining(LOGGER))
          .extracting(l -> l.substring(l.lastIndexOf(' ') + 1))
          .containsExactly("w1", "w2", "w3", "w4", "w5");
      assertThat(logs.linesContaining("1 more refusals in the last 11.0s")).hasSize(1);
    }
  }

  @Test
  void closeSummarisesAtOnce() {
    try (LogCapture logs = LogCapture.start()) {
      for (int i = 1; i <= 5; i++) {
        log.warn("w" + i);
      }

      log.close();

      assertThat(logs.linesContaining("2 more refusals")).hasSize(1);
    }
  }
}
