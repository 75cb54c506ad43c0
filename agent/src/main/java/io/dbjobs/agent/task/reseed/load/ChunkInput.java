package io.dbjobs.agent.task.reseed.load;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Duration;

/**
 * The rows of one table as one input for {@code LOAD DATA LOCAL}: its staged chunks one after the
 * other, decompressed, in the order they arrived, waiting for chunks still on their way. Each
 * chunk's decompressed size is checked against its trailer as it is read (its rows by the
 * statement's count), and its file is deleted once read. A failure anywhere in the load ends the
 * input with an exception.
 */
final class ChunkInput extends InputStream {
  private final StagedParts staged;
  private final StagedParts.TableRows table;
  private final Duration idle;
  private InputStream current;
  private StagedParts.Staged chunk;
  private long raw;
  private boolean done;

  ChunkInput(StagedParts staged, StagedParts.TableRows table, Duration idle) {
    this.staged = staged;
    this.table = table;
    this.idle = idle;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    try {
      while (true) {
        if (done) {
          return -1;
        }
        if (current == null && !next()) {
          done = true;
          return -1;
        }
        int n = current.read(b, off, len);
        if (n > 0) {
          raw += n;
          return n;
        }
        endChunk();
      }
    } catch (DbJobsException e) {
      throw new IOException(e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while loading " + table.label());
    }
  }

  private boolean next() throws IOException, InterruptedException {
    chunk = staged.nextChunk(table, idle);
    if (chunk == null) {
      return false;
    }
    raw = 0;
    current =
        new ZstdInputStreamNoFinalizer(
            new BufferedInputStream(Files.newInputStream(chunk.file()), 1 << 16));
    return true;
  }

  private void endChunk() throws IOException {
    current.close();
    current = null;
    Files.deleteIfExists(chunk.file());
    if (raw != chunk.trailer().rawBytes()) {
      throw new IOException(
          new DbJobsException(
              ErrorCode.DIGEST_MISMATCH,
              "chunk "
                  + (chunk.header().chunk() + 1)
                  + " of "
                  + table.label()
                  + " decompressed to "
                  + raw
                  + " bytes, its trailer says "
                  + chunk.trailer().rawBytes()));
    }
  }

  @Override
  public void close() throws IOException {
    if (current != null) {
      current.close();
      current = null;
    }
  }
}
