package io.dbjobs.common.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbjobs.common.units.Sizes;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loopback throughput of a 1 GiB stream made up on the fly, SHA-256 on both ends, into a sink that
 * only counts. Logs MB/s; asserts only that both ends agree. Numbers are for this machine.
 */
class StreamThroughputIT extends StreamFixture {
  private static final Logger LOG = LoggerFactory.getLogger(StreamThroughputIT.class);
  private static final long GIB = 1L << 30;

  @Test
  void measuresOneGibibyteOnLoopback() throws Exception {
    LOG.info("SHA-256 alone on this JVM: {} MB/s", mbps(GIB / 4, hashOnly(GIB / 4)));
    measure("none, incompressible", Compression.NONE, new BlockInput(GIB, noise(1)));
    measure("zstd, incompressible", Compression.ZSTD, new BlockInput(GIB, noise(2)));
    measure("zstd, dump-like text", Compression.ZSTD, new BlockInput(GIB, dumpLike(3)));
    measure("lz4, dump-like text", Compression.LZ4, new BlockInput(GIB, dumpLike(4)));
  }

  private void measure(String what, Compression c, InputStream source) throws Exception {
    StreamListener listener = listener(StreamOptions.defaults());
    String secret = StreamSecret.mint();
    ExpectedStream expected = listener.expect("bench", secret, hello -> new CountingSink());
    long start = System.nanoTime();
    SendResult sent =
        sender.send(
            target(listener, "bench", secret),
            source,
            GIB,
            SourceCompletion.none(),
            StreamOptions.defaults().withCompression(c),
            ProgressListener.NONE);
    long nanos = System.nanoTime() - start;
    ReceiveResult received = expected.await(WAIT);
    listener.close();

    assertThat(received.sha256Hex()).isEqualTo(sent.sha256Hex());
    assertThat(received.bytes()).isEqualTo(GIB);
    LOG.info(
        "1 GiB, {}: {} MB/s, {} on the wire (ratio {})",
        what,
        mbps(GIB, nanos),
        Sizes.human(sent.wireBytes()),
        String.format(Locale.ROOT, "%.2f", sent.wireBytes() / (double) GIB));
  }

  private static long hashOnly(long bytes) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    byte[] buf = new byte[256 << 10];
    long start = System.nanoTime();
    for (long done = 0; done < bytes; done += buf.length) {
      sha.update(buf);
    }
    sha.digest();
    return System.nanoTime() - start;
  }

  private static String mbps(long bytes, long nanos) {
    return String.format(Locale.ROOT, "%.0f", bytes / 1e6 / (nanos / 1e9));
  }

  /** Counts and drops. */
  private static final class CountingSink implements StreamSink {
    private long bytes;

    @Override
    public void write(ByteBuffer data) {
      bytes += data.remaining();
      data.position(data.limit());
    }

    @Override
    public String finish(Map<String, String> meta, long n, String sha256Hex) {
      return "counted " + bytes;
    }

    @Override
    public void abort(String reason) {}
  }

  /** 4 MiB of noise: larger than zstd's level-3 window, so repeating it stays incompressible. */
  private static byte[] noise(long seed) {
    byte[] b = new byte[4 << 20];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** 4 MiB of lines like a mysqldump's INSERTs, with random values. */
  private static byte[] dumpLike(long seed) {
    Random r = new Random(seed);
    StringBuilder sb = new StringBuilder(5 << 20);
    while (sb.length() < (4 << 20)) {
      sb.append("INSERT INTO `orders` VALUES (")
          .append(r.nextInt(10_000_000))
          .append(",'2024-0")
          .append(1 + r.nextInt(9))
          .append("-1")
          .append(r.nextInt(10))
          .append(" 12:")
          .append(10 + r.nextInt(50))
          .append(":00',")
          .append(r.nextInt(100_000))
          .append(",'customer-")
          .append(Long.toHexString(r.nextLong()))
          .append("',")
          .append(r.nextInt(1000))
          .append(".")
          .append(r.nextInt(100))
          .append(",'shipped');\n");
    }
    byte[] all = sb.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    return java.util.Arrays.copyOf(all, 4 << 20);
  }

  /** A block repeated up to {@code length}, at memory speed. */
  private static final class BlockInput extends InputStream {
    private final byte[] block;
    private final long length;
    private long position;

    BlockInput(long length, byte[] block) {
      this.length = length;
      this.block = block;
    }

    @Override
    public int read() {
      return position < length ? block[(int) (position++ % block.length)] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (position >= length) {
        return -1;
      }
      int at = (int) (position % block.length);
      int n = (int) Math.min(Math.min(len, block.length - at), length - position);
      System.arraycopy(block, at, b, off, n);
      position += n;
      return n;
    }
  }
}
