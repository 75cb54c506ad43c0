package io.dbjobs.manager.catalog;

import io.dbjobs.common.logical.PartHeader;
import io.dbjobs.common.logical.PartTrailer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * One part of a parallel dump in the catalog: its file under the backup's {@code parts/} folder
 * (named by its id only: no name from the source reaches a path), its header and its trailer
 * (compressed size, decompressed size, rows, SHA-256 of the file).
 */
public record StoredPart(
    int id,
    String file,
    String kind,
    String schema,
    String table,
    int chunk,
    int chunks,
    long bytes,
    long rawBytes,
    long rows,
    String sha256) {

  /** The folder of a backup's parts. */
  public static final String FOLDER = "parts";

  static StoredPart of(PartHeader h, PartTrailer t) {
    return new StoredPart(
        h.id(),
        fileName(h.id()),
        h.kind(),
        h.schema(),
        h.table(),
        h.chunk(),
        h.chunks(),
        t.bytes(),
        t.rawBytes(),
        t.rows(),
        t.sha256());
  }

  static String fileName(int id) {
    return String.format("%06d.zst", id);
  }

  public PartHeader header() {
    return new PartHeader(id, kind, schema, table, chunk, chunks);
  }

  public PartTrailer trailer() {
    return new PartTrailer(id, bytes, rawBytes, rows, sha256);
  }

  /** The SHA-256 of the parts' {@code "<id> <sha256>\n"} lines: a parts backup's digest. */
  public static String digestOf(List<StoredPart> parts) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (StoredPart p : parts) {
        md.update((p.id + " " + p.sha256 + "\n").getBytes(StandardCharsets.US_ASCII));
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
