package io.dbjobs.common.logical;

import java.nio.charset.StandardCharsets;

/**
 * The container that carries a logical dump's parts in one byte stream (a job's one authenticated
 * stream, or a file). After an 8-byte magic and a version byte come records, each {@code type (1
 * byte) | part id (u32) | payload length (u32) | payload}, big-endian:
 *
 * <ul>
 *   <li>{@link #OPEN}: a part starts; JSON {@link PartHeader}.
 *   <li>{@link #DATA}: the next bytes of that part's zstd frame (parts are compressed each on its
 *       own; records of different parts interleave).
 *   <li>{@link #CLOSE}: the part ended; JSON {@link PartTrailer} with its sizes, rows and the
 *       SHA-256 of its compressed bytes.
 *   <li>{@link #END}: the dump ended; JSON {@link DumpManifest}, part id 0. Nothing follows.
 * </ul>
 */
public final class PartFormat {
  /** {@code DBJPARTS}: distinct from zstd ({@code 28 b5 2f fd}), gzip ({@code 1f 8b}) and SQL. */
  public static final byte[] MAGIC = "DBJPARTS".getBytes(StandardCharsets.US_ASCII);

  public static final int VERSION = 1;
  public static final int HEADER_BYTES = MAGIC.length + 1;
  public static final int RECORD_HEADER_BYTES = 9;

  public static final byte OPEN = 1;
  public static final byte DATA = 2;
  public static final byte CLOSE = 3;
  public static final byte END = 4;

  /** Largest DATA payload a writer emits and a reader accepts. */
  public static final int MAX_DATA = 1 << 20;

  /** Largest OPEN or CLOSE payload. */
  public static final int MAX_META = 64 * 1024;

  /** Largest END payload (the manifest lists every table). */
  public static final int MAX_END = 64 << 20;

  /** Name of the format in manifests and trailer metadata. */
  public static final String NAME = "parts";

  private PartFormat() {}

  /** True when {@code head} (at least {@link #MAGIC}'s length) starts a part container. */
  public static boolean isContainer(byte[] head, int length) {
    if (length < MAGIC.length) {
      return false;
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (head[i] != MAGIC[i]) {
        return false;
      }
    }
    return true;
  }
}
