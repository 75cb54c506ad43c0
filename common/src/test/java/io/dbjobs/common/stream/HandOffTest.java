package io.dbjobs.common.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.stream.WireMessage.Data;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class HandOffTest {
  private final QueueGauge gauge = new QueueGauge();
  private final HandOff handOff = new HandOff(gauge);

  @Test
  void countsQueuedBytesInTheListenersGauge() {
    handOff.offer(data(100));
    handOff.offer(data(50));
    assertThat(handOff.queuedBytes()).isEqualTo(150);
    assertThat(gauge.queued()).isEqualTo(150);

    ((Data) handOff.take()).release();

    assertThat(handOff.queuedBytes()).isEqualTo(50);
    assertThat(gauge.queued()).isEqualTo(50);
    assertThat(gauge.peak()).isEqualTo(150);
  }

  @Test
  void aFailureJumpsTheQueueAndTheFirstOneWins() {
    handOff.offer(data(10));
    DbJobsException cut = new DbJobsException(ErrorCode.STREAM_CUT, "cut");
    handOff.fail(cut);
    handOff.fail(new DbJobsException(ErrorCode.CANCELLED, "later"));

    assertThatThrownBy(handOff::take)
        .isInstanceOf(HandOff.Failed.class)
        .satisfies(e -> assertThat(((HandOff.Failed) e).error()).isSameAs(cut));
    handOff.close();
  }

  @Test
  void closeReleasesWhatIsQueuedAndWhatArrivesLater() {
    Data queued = data(10);
    Data late = data(10);
    handOff.offer(queued);

    handOff.close();
    handOff.offer(late);

    assertThat(queued.refCnt()).isZero();
    assertThat(late.refCnt()).isZero();
    assertThat(gauge.queued()).isZero();
  }

  @Test
  void anInterruptedTakeReportsTheRecordedFailure() {
    handOff.fail(new DbJobsException(ErrorCode.CANCELLED, "stream x was cancelled"));
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(handOff::take).hasMessage("stream x was cancelled");
    } finally {
      Thread.interrupted();
    }
  }

  private static Data data(int n) {
    return new Data(Unpooled.buffer(n).writeZero(n));
  }
}
