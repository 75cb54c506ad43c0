package io.dbjobs.common.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class WakeupTest {
  private static final Duration HOUR = Duration.ofHours(1);

  @Test
  void aWakeEndsAPauseUnderWay() throws Exception {
    Wakeup w = new Wakeup();
    CompletableFuture<Void> pause =
        CompletableFuture.runAsync(
            () -> {
              try {
                w.sleep(HOUR);
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    w.wake();
    pause.get(30, TimeUnit.SECONDS); // an hour's pause ended by the wake, or this times out
    assertThat(pause).isDone();
  }

  @Test
  void wakesWhileNobodyWaitsEndOnlyTheNextPause() throws Exception {
    Wakeup w = new Wakeup();
    w.wake();
    w.wake();
    w.wake();
    w.sleep(HOUR); // returns at once: a wake came before it
    CompletableFuture<Void> second =
        CompletableFuture.runAsync(
            () -> {
              try {
                w.sleep(HOUR);
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    // the earlier wakes were used up by the first pause: this one waits until woken again (were a
    // wake left over, it would end within these 500 ms)
    assertThatThrownBy(() -> second.get(500, TimeUnit.MILLISECONDS))
        .isInstanceOf(TimeoutException.class);
    w.wake();
    second.get(30, TimeUnit.SECONDS);
  }
}
