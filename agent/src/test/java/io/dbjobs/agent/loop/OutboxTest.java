package io.dbjobs.agent.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.common.auth.JobSealer;
import io.dbjobs.common.auth.KeyRing;
import io.dbjobs.common.job.JobOutcome;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutboxTest {
  @TempDir Path dir;

  private final FakeJobStore store =
      new FakeJobStore(
          new JobSealer(KeyRing.generate("n1"), Duration.ofHours(1), Clock.systemUTC()));

  @Test
  void anOutcomeKeptWhileAFlushScansIsFlushedByTheNextFlush() throws Exception {
    long first = store.add("optimize", Map.of());
    long second = store.add("optimize", Map.of());
    store.claim(first, "o", Duration.ofMinutes(1));
    store.claim(second, "o", Duration.ofMinutes(1));
    Outbox box =
        new Outbox(dir.resolve("outbox")) {
          private boolean racedOnce;

          @Override
          List<Path> entries() throws IOException {
            List<Path> seen = super.entries();
            if (!racedOnce) {
              racedOnce = true;
              // a worker keeps its outcome after this flush listed the folder
              keep(second, "o", JobOutcome.succeeded("second"));
            }
            return seen;
          }
        };
    box.keep(first, "o", JobOutcome.succeeded("first"));
    box.flush(store);
    assertThat(store.outcomes).containsKey(first).doesNotContainKey(second);
    assertThat(box.hasPending()).as("the outcome kept meanwhile is still to flush").isTrue();
    box.flush(store);
    assertThat(store.outcomes).containsKey(second);
    assertThat(box.count()).isZero();
  }
}
