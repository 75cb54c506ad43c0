package io.dbjobs.common.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class PreAuthBuffersTest {
  @Test
  void handsOutHeapBuffersEvenWhenAskedForDirectOnes() {
    ByteBufAllocator a = PreAuthBuffers.ALLOCATOR;

    for (ByteBuf b :
        new ByteBuf[] {
          a.buffer(64), a.ioBuffer(64), a.directBuffer(64), a.ioBuffer(), a.heapBuffer()
        }) {
      try {
        assertThat(b.isDirect()).isFalse();
        assertThat(b.hasArray()).isTrue();
      } finally {
        b.release();
      }
    }
    assertThat(a.isDirectBufferPooled()).isFalse();
  }

  @Test
  void readsSmallHeapBuffersUntilTheStreamIsAcceptedThenPooledAdaptiveOnes() {
    EmbeddedChannel ch = new EmbeddedChannel();
    PreAuthBuffers.install(ch);
    RecvByteBufAllocator.Handle reads = ch.config().getRecvByteBufAllocator().newHandle();

    reads.reset(ch.config());
    ByteBuf before = reads.allocate(ch.config().getAllocator());
    assertThat(PreAuthBuffers.isPreAuth(ch)).isTrue();
    assertThat(reads.guess()).isEqualTo(PreAuthBuffers.READ_BYTES);
    assertThat(before.capacity()).isEqualTo(PreAuthBuffers.READ_BYTES);
    assertThat(before.isDirect()).isFalse();
    before.release();

    PreAuthBuffers.switchToStreaming(ch);
    reads.reset(ch.config());
    ByteBuf after = reads.allocate(ch.config().getAllocator());

    assertThat(PreAuthBuffers.isPreAuth(ch)).isFalse();
    assertThat(ch.config().getAllocator()).isSameAs(ByteBufAllocator.DEFAULT);
    assertThat(reads.guess())
        .as("adaptive reads start at 2 KiB and grow to 64 KiB")
        .isEqualTo(2048);
    assertThat(after.alloc()).isSameAs(ByteBufAllocator.DEFAULT);
    after.release();
    ch.finishAndReleaseAll();
  }
}
