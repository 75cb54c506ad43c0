package io.dbjobs.common.stream;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * The buffers of a listener's connection before its sender authenticated: every buffer comes from
 * the heap, unpooled (so nothing an unauthenticated peer does can grow direct memory or pin a
 * pooled 4 MiB chunk), and each socket read takes at most {@link #READ_BYTES}. Once the stream is
 * accepted, {@link #switchToStreaming} puts the connection on Netty's pooled allocator and adaptive
 * reads (up to 64 KiB), as any other connection.
 */
final class PreAuthBuffers {
  /** The most bytes one socket read takes before authentication (a HELLO frame is 181). */
  static final int READ_BYTES = 1024;

  /** Heap buffers only, unpooled; also for callers that ask for a direct buffer. */
  static final ByteBufAllocator ALLOCATOR = new HeapOnlyAllocator();

  private PreAuthBuffers() {}

  /** Installs the small heap buffers on a new connection, before its first read. */
  static void install(Channel ch) {
    ChannelConfig config = ch.config();
    config.setAllocator(ALLOCATOR);
    config.setRecvByteBufAllocator(new SwitchingRecvAllocator());
  }

  /** The sender authenticated and its sink is open: pooled buffers and adaptive reads from now. */
  static void switchToStreaming(Channel ch) {
    ChannelConfig config = ch.config();
    config.setAllocator(ByteBufAllocator.DEFAULT);
    if (config.getRecvByteBufAllocator() instanceof SwitchingRecvAllocator s) {
      s.streaming = true;
    }
  }

  /** Whether a connection still reads into the small heap buffers. */
  static boolean isPreAuth(Channel ch) {
    return ch.config().getAllocator() == ALLOCATOR;
  }

  /** Unpooled heap buffers, whatever kind the caller asks for. */
  private static final class HeapOnlyAllocator extends AbstractByteBufAllocator {
    HeapOnlyAllocator() {
      super(false);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
      return new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
      // never direct: an unauthenticated peer must not be able to grow direct memory
      return new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
    }

    @Override
    public boolean isDirectBufferPooled() {
      return false;
    }
  }

  /**
   * Fixed small reads until {@link #streaming}, then adaptive ones. Netty keeps the handle of a
   * channel's first read for its whole life, so the handle itself switches, at the start of a read.
   * One instance per channel; used on its event loop only.
   */
  private static final class SwitchingRecvAllocator implements RecvByteBufAllocator {
    private final RecvByteBufAllocator small = new FixedRecvByteBufAllocator(READ_BYTES);
    private final RecvByteBufAllocator normal = new AdaptiveRecvByteBufAllocator();
    private boolean streaming;

    @Override
    @SuppressWarnings("deprecation") // Netty 4.1's interface still returns the old Handle type
    public Handle newHandle() {
      return new SwitchingHandle(
          (ExtendedHandle) small.newHandle(), (ExtendedHandle) normal.newHandle());
    }

    private final class SwitchingHandle implements ExtendedHandle {
      private final ExtendedHandle smallHandle;
      private final ExtendedHandle normalHandle;
      private ExtendedHandle active;

      SwitchingHandle(ExtendedHandle smallHandle, ExtendedHandle normalHandle) {
        this.smallHandle = smallHandle;
        this.normalHandle = normalHandle;
        this.active = smallHandle;
      }

      @Override
      public void reset(ChannelConfig config) {
        active = streaming ? normalHandle : smallHandle;
        active.reset(config);
      }

      @Override
      public ByteBuf allocate(ByteBufAllocator alloc) {
        return active.allocate(alloc);
      }

      @Override
      public int guess() {
        return active.guess();
      }

      @Override
      public void incMessagesRead(int numMessages) {
        active.incMessagesRead(numMessages);
      }

      @Override
      public void lastBytesRead(int bytes) {
        active.lastBytesRead(bytes);
      }

      @Override
      public int lastBytesRead() {
        return active.lastBytesRead();
      }

      @Override
      public void attemptedBytesRead(int bytes) {
        active.attemptedBytesRead(bytes);
      }

      @Override
      public int attemptedBytesRead() {
        return active.attemptedBytesRead();
      }

      @Override
      public boolean continueReading() {
        return active.continueReading();
      }

      @Override
      public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
        return active.continueReading(maybeMoreDataSupplier);
      }

      @Override
      public void readComplete() {
        active.readComplete();
      }
    }
  }
}
