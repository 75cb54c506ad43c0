package io.dbjobs.common.stream;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Locale;
import net.jpountz.lz4.LZ4FrameInputStream;
import net.jpountz.lz4.LZ4FrameOutputStream;

/**
 * How DATA payloads are compressed on the wire. The sender chooses in HELLO; a listener accepts all
 * of them. The SHA-256 in the trailer is always over the uncompressed bytes.
 */
public enum Compression {
  /** Bytes as they are. */
  NONE("none", 0),
  /** One zstd stream (level 3) over the whole payload. */
  ZSTD("zstd", 1),
  /**
   * One LZ4 frame (standard frame format, 64 KiB independent blocks) over the whole payload, by
   * lz4-java: Commons Compress's pure-Java LZ4 compressor manages 0.1 to 40 MB/s, too slow for
   * backups.
   */
  LZ4("lz4", 2);

  private static final int ZSTD_LEVEL = 3;

  private final String wireName;
  private final int wireId;

  Compression(String wireName, int wireId) {
    this.wireName = wireName;
    this.wireId = wireId;
  }

  /** The name used in config files and job parameters: {@code none}, {@code zstd}, {@code lz4}. */
  public String wireName() {
    return wireName;
  }

  int wireId() {
    return wireId;
  }

  /** The compression with this HELLO id, or null. */
  static Compression ofWireId(int id) {
    for (Compression c : values()) {
      if (c.wireId == id) {
        return c;
      }
    }
    return null;
  }

  /**
   * Parses {@code none}, {@code zstd} or {@code lz4} (any case).
   *
   * @throws DbJobsException BAD_PARAMETER for anything else
   */
  public static Compression parse(String name) {
    String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    for (Compression c : values()) {
      if (c.wireName.equals(n)) {
        return c;
      }
    }
    throw new DbJobsException(
        ErrorCode.BAD_PARAMETER,
        "'" + name + "' is not a stream compression (use none, zstd or lz4)");
  }

  /** Wraps {@code out} so that bytes written are compressed; closing it finishes the stream. */
  OutputStream compressing(OutputStream out) throws IOException {
    return switch (this) {
      case NONE -> out;
      case ZSTD -> new ZstdOutputStreamNoFinalizer(out, ZSTD_LEVEL);
      case LZ4 -> new LZ4FrameOutputStream(out, LZ4FrameOutputStream.BLOCKSIZE.SIZE_64KB);
    };
  }

  /** Wraps {@code in} so that reads return the uncompressed bytes. */
  InputStream decompressing(InputStream in) throws IOException {
    return switch (this) {
      case NONE -> in;
      case ZSTD -> new ZstdInputStreamNoFinalizer(in);
      case LZ4 -> new LZ4FrameInputStream(in, true);
    };
  }

  @Override
  public String toString() {
    return wireName;
  }
}
