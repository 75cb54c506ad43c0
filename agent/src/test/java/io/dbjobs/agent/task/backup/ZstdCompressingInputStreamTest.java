package io.dbjobs.agent.task.backup;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.luben.zstd.ZstdInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ZstdCompressingInputStreamTest {

  @Test
  void yieldsOneZstdFrameOfItsInput() throws IOException {
    byte[] sql = sqlLike(5 << 20);
    byte[] compressed = drain(new ZstdCompressingInputStream(new ByteArrayInputStream(sql), 3, 0));
    assertThat(compressed.length).isLessThan(sql.length / 3);
    assertThat(decompress(compressed)).isEqualTo(sql);
  }

  @Test
  void compressesWithWorkerThreadsToTheSameBytes() throws IOException {
    byte[] sql = sqlLike(12 << 20);
    byte[] compressed = drain(new ZstdCompressingInputStream(new ByteArrayInputStream(sql), 1, 2));
    assertThat(decompress(compressed)).isEqualTo(sql);
  }

  @Test
  void keepsIncompressibleBytesIntact() throws IOException {
    byte[] noise = new byte[3 << 20];
    new Random(7).nextBytes(noise);
    try (ZstdCompressingInputStream z =
        new ZstdCompressingInputStream(new TrickleInput(noise), 3, 0)) {
      byte[] compressed = drain(z);
      assertThat(z.bytesIn()).isEqualTo(noise.length);
      assertThat(decompress(compressed)).isEqualTo(noise);
    }
  }

  @Test
  void memoryStaysBoundedWhateverTheInputSize() throws IOException {
    long size = 256L << 20;
    byte[] line =
        "INSERT INTO t VALUES (1,'abcdefghij',2026,NULL);\n".getBytes(StandardCharsets.UTF_8);
    InputStream endless =
        new InputStream() {
          private long left = size;

          @Override
          public int read() {
            throw new UnsupportedOperationException();
          }

          @Override
          public int read(byte[] b, int off, int len) {
            if (left == 0) {
              return -1;
            }
            int n = (int) Math.min(len, left);
            for (int i = 0; i < n; i++) {
              b[off + i] = line[(int) ((size - left + i) % line.length)];
            }
            left -= n;
            return n;
          }
        };
    try (ZstdCompressingInputStream z = new ZstdCompressingInputStream(endless, 1, 1)) {
      byte[] buf = new byte[256 << 10];
      int maxCapacity = 0;
      while (z.read(buf, 0, buf.length) >= 0) {
        maxCapacity = Math.max(maxCapacity, z.bufferCapacity());
      }
      assertThat(z.bytesIn()).isEqualTo(size);
      assertThat(maxCapacity).isLessThanOrEqualTo(8 << 20);
    }
  }

  @Test
  void anEmptyInputIsAnEmptyFrame() throws IOException {
    byte[] compressed =
        drain(new ZstdCompressingInputStream(new ByteArrayInputStream(new byte[0]), 3, 0));
    assertThat(compressed).isNotEmpty();
    assertThat(decompress(compressed)).isEmpty();
  }

  @Test
  void singleByteReadsWork() throws IOException {
    byte[] text = "INSERT INTO t VALUES (1,'a');\n".repeat(100).getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream z = new ZstdCompressingInputStream(new ByteArrayInputStream(text), 3, 0)) {
      int b;
      while ((b = z.read()) >= 0) {
        out.write(b);
      }
    }
    assertThat(decompress(out.toByteArray())).isEqualTo(text);
  }

  private static byte[] sqlLike(int size) {
    StringBuilder sb = new StringBuilder(size + 200);
    Random r = new Random(1);
    int id = 0;
    while (sb.length() < size) {
      sb.append("INSERT INTO `orders` VALUES (")
          .append(id++)
          .append(",'customer ")
          .append(r.nextInt(5000))
          .append("',")
          .append(r.nextInt(100000) / 100.0)
          .append(",'2026-01-0")
          .append(1 + r.nextInt(9))
          .append("');\n");
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] drain(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[100_000];
    int n;
    while ((n = in.read(buf, 0, buf.length)) >= 0) {
      out.write(buf, 0, n);
    }
    in.close();
    return out.toByteArray();
  }

  private static byte[] decompress(byte[] z) throws IOException {
    try (InputStream in = new ZstdInputStream(new ByteArrayInputStream(z))) {
      return in.readAllBytes();
    }
  }

  /** Returns at most 1000 bytes per read, like a pipe that is slow to fill. */
  private static final class TrickleInput extends ByteArrayInputStream {
    TrickleInput(byte[] b) {
      super(b);
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) {
      return super.read(b, off, Math.min(len, 1000));
    }
  }
}
