package io.dbjobs.agent.task.reseed;

import com.github.luben.zstd.ZstdInputStream;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.stream.StreamSink;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.GZIPInputStream;

/**
 * Decompresses a stream on its way to another sink, by what its first bytes say: zstd ({@code 28 b5
 * 2f fd}), gzip ({@code 1f 8b}) or plain. Decompression runs on its own thread behind a bounded
 * pipe, so a slow target still slows the sender.
 */
final class DecompressingSink implements StreamSink {
  private static final int PIPE_CHUNKS = 16;

  private final StreamSink target;
  private final byte[] head = new byte[4];
  private int headLen;
  private BytePipe pipe;
  private Thread pump;
  private final AtomicReference<Throwable> pumpFailure = new AtomicReference<>();
  private String format = "plain";

  DecompressingSink(StreamSink target) {
    this.target = target;
  }

  String format() {
    return format;
  }

  @Override
  public void write(ByteBuffer data) throws IOException, InterruptedException {
    if (pipe == null && pump == null && !"plain-started".equals(format)) {
      while (headLen < head.length && data.hasRemaining()) {
        head[headLen++] = data.get();
      }
      if (headLen < head.length) {
        return;
      }
      begin();
    }
    if (pipe != null) {
      checkPump();
      byte[] b = new byte[data.remaining()];
      data.get(b);
      pipe.put(b, 0, b.length);
    } else {
      target.write(data);
    }
  }

  private void begin() throws IOException, InterruptedException {
    boolean zstd =
        (head[0] & 0xff) == 0x28
            && (head[1] & 0xff) == 0xb5
            && (head[2] & 0xff) == 0x2f
            && (head[3] & 0xff) == 0xfd;
    boolean gzip = (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b;
    if (!zstd && !gzip) {
      format = "plain-started";
      target.write(ByteBuffer.wrap(head, 0, headLen));
      return;
    }
    format = zstd ? "zstd" : "gzip";
    pipe = new BytePipe(PIPE_CHUNKS);
    pipe.put(head, 0, headLen);
    pump =
        new Thread(
            () -> {
              try (InputStream in =
                  zstd ? new ZstdInputStream(pipe) : new GZIPInputStream(pipe, 1 << 16)) {
                byte[] buf = new byte[1 << 18];
                int n;
                while ((n = in.read(buf)) > 0) {
                  target.write(ByteBuffer.wrap(buf, 0, n));
                }
              } catch (Throwable t) {
                pumpFailure.set(t);
                pipe.breakPipe();
              }
            },
            "decompress-" + format);
    pump.setDaemon(true);
    pump.start();
  }

  private void checkPump() throws IOException {
    Throwable t = pumpFailure.get();
    if (t != null) {
      throw new IOException(
          format + " decompression or load failed: " + DbJobsException.describe(t), t);
    }
  }

  @Override
  public String finish(Map<String, String> meta, long bytes, String sha256Hex)
      throws IOException, InterruptedException {
    if (pipe == null && headLen > 0 && !"plain-started".equals(format)) {
      // fewer than four bytes in all: plain
      target.write(ByteBuffer.wrap(head, 0, headLen));
    }
    if (pipe != null) {
      pipe.end();
      pump.join();
      checkPump();
    }
    String done = target.finish(meta, bytes, sha256Hex);
    return done + (pipe != null ? " (" + format + "-compressed)" : "");
  }

  @Override
  public void abort(String reason) {
    if (pipe != null) {
      pipe.breakPipe();
      pump.interrupt();
    }
    target.abort(reason);
  }
}
