package io.dbjobs.common.logical;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;

/**
 * Reads a part container ({@link PartFormat}) pushed to it in pieces of any size, strictly: the
 * magic and version, known record types, lengths within their limits (checked on the record's
 * header, before its payload is buffered), DATA and CLOSE only for an open part, each part's
 * compressed size and SHA-256 equal to its CLOSE record, END once, after every part closed and
 * counting them all, and nothing after it. Memory: one record (at most {@link PartFormat#MAX_DATA}
 * for data, {@link PartFormat#MAX_END} for the manifest).
 *
 * <p>Not thread-safe: one stream, one thread.
 */
public final class PartReader {
  /** Receives the container's content, in order; DATA payloads are only valid during the call. */
  public interface Handler {
    void open(PartHeader header) throws IOException, InterruptedException;

    /** The next compressed bytes of an open part. */
    void data(PartHeader header, ByteBuffer compressed) throws IOException, InterruptedException;

    /** A part ended; its size and digest were checked against {@code trailer}. */
    void close(PartHeader header, PartTrailer trailer) throws IOException, InterruptedException;

    void end(DumpManifest manifest) throws IOException, InterruptedException;
  }

  private final Handler handler;
  private final byte[] head = new byte[PartFormat.HEADER_BYTES];
  private int headLen;
  private final byte[] recHead = new byte[PartFormat.RECORD_HEADER_BYTES];
  private int recHeadLen;
  private byte[] payload;
  private int payloadLen;
  private byte type;
  private int id;
  private final Map<Integer, Open> open = new HashMap<>();
  private final Set<Integer> seen = new HashSet<>();
  private boolean ended;
  private long offset;

  private static final class Open {
    final PartHeader header;
    final MessageDigest sha256 = sha256();
    long bytes;

    Open(PartHeader header) {
      this.header = header;
    }
  }

  public PartReader(Handler handler) {
    this.handler = handler;
  }

  /** Parts opened so far. */
  public int parts() {
    return seen.size();
  }

  /** True once the END record was read. */
  public boolean ended() {
    return ended;
  }

  /**
   * Reads the next bytes.
   *
   * @throws DbJobsException RESTORE_FAILED saying what is malformed and where
   */
  public void feed(ByteBuffer data) throws IOException, InterruptedException {
    while (data.hasRemaining()) {
      if (ended) {
        throw bad("bytes follow the END record");
      }
      if (headLen < head.length) {
        int n = Math.min(head.length - headLen, data.remaining());
        data.get(head, headLen, n);
        headLen += n;
        offset += n;
        if (headLen == head.length) {
          if (!PartFormat.isContainer(head, head.length)) {
            throw bad("it does not start with the DBJPARTS magic");
          }
          if (head[PartFormat.MAGIC.length] != PartFormat.VERSION) {
            throw bad(
                "it is version "
                    + head[PartFormat.MAGIC.length]
                    + " of the part format; this side reads version "
                    + PartFormat.VERSION);
          }
        }
        continue;
      }
      if (recHeadLen < recHead.length) {
        int n = Math.min(recHead.length - recHeadLen, data.remaining());
        data.get(recHead, recHeadLen, n);
        recHeadLen += n;
        if (recHeadLen == recHead.length) {
          startRecord();
          if (payload.length == 0) {
            completeRecord();
          }
        }
        continue;
      }
      int n = Math.min(payload.length - payloadLen, data.remaining());
      data.get(payload, payloadLen, n);
      payloadLen += n;
      if (payloadLen == payload.length) {
        completeRecord();
      }
    }
  }

  /**
   * The stream ended: it must have ended with its END record.
   *
   * @throws DbJobsException RESTORE_FAILED when it was cut short
   */
  public void finish() {
    if (!ended) {
      throw bad(
          "it ends without its END record after "
              + seen.size()
              + " parts ("
              + open.size()
              + " still open): the dump was cut short");
    }
  }

  private void startRecord() {
    ByteBuffer h = ByteBuffer.wrap(recHead);
    type = h.get();
    id = h.getInt();
    int len = h.getInt();
    int max =
        switch (type) {
          case PartFormat.DATA -> PartFormat.MAX_DATA;
          case PartFormat.OPEN, PartFormat.CLOSE -> PartFormat.MAX_META;
          case PartFormat.END -> PartFormat.MAX_END;
          default -> throw bad("unknown record type " + type);
        };
    if (len < 0 || len > max) {
      throw bad("a record of type " + type + " announces " + len + " bytes (at most " + max + ")");
    }
    payload = new byte[len];
    payloadLen = 0;
  }

  private void completeRecord() throws IOException, InterruptedException {
    offset += PartFormat.RECORD_HEADER_BYTES + payload.length;
    byte[] p = payload;
    recHeadLen = 0;
    payload = null;
    switch (type) {
      case PartFormat.OPEN -> {
        PartHeader h = PartJson.read(p, 0, p.length, PartHeader.class);
        if (h.id() != id || id <= 0 || !seen.add(id)) {
          throw bad("part " + id + " is opened twice or with a mismatched id");
        }
        if (!h.holdsRows() && !h.holdsSchema()) {
          throw bad("part " + id + " is of unknown kind '" + h.kind() + "'");
        }
        if (h.holdsRows()
            && (h.schema() == null
                || h.table() == null
                || h.chunks() < 1
                || h.chunk() < 0
                || h.chunk() >= h.chunks())) {
          throw bad("rows part " + id + " does not name its table and chunk");
        }
        open.put(id, new Open(h));
        handler.open(h);
      }
      case PartFormat.DATA -> {
        Open o = requireOpen();
        o.sha256.update(p);
        o.bytes += p.length;
        handler.data(o.header, ByteBuffer.wrap(p));
      }
      case PartFormat.CLOSE -> {
        Open o = requireOpen();
        PartTrailer t = PartJson.read(p, 0, p.length, PartTrailer.class);
        String sha = HexFormat.of().formatHex(o.sha256.digest());
        if (t.id() != id || t.bytes() != o.bytes || !sha.equals(t.sha256())) {
          throw new DbJobsException(
              ErrorCode.DIGEST_MISMATCH,
              "part "
                  + o.header.describe()
                  + " of the dump does not match its trailer: "
                  + o.bytes
                  + " bytes with SHA-256 "
                  + sha
                  + ", the trailer says "
                  + t.bytes()
                  + " bytes with "
                  + t.sha256());
        }
        open.remove(id);
        handler.close(o.header, t);
      }
      case PartFormat.END -> {
        if (!open.isEmpty()) {
          throw bad("END arrives while parts " + open.keySet() + " are still open");
        }
        DumpManifest m = PartJson.read(p, 0, p.length, DumpManifest.class);
        if (m.parts() != seen.size()) {
          throw bad("its END counts " + m.parts() + " parts, " + seen.size() + " arrived");
        }
        ended = true;
        handler.end(m);
      }
      default -> throw bad("unknown record type " + type);
    }
  }

  private Open requireOpen() {
    Open o = open.get(id);
    if (o == null) {
      throw bad("a record of type " + type + " is for part " + id + ", which is not open");
    }
    return o;
  }

  private DbJobsException bad(String what) {
    return new DbJobsException(
        ErrorCode.RESTORE_FAILED,
        "the dump's part stream is malformed at byte " + offset + ": " + what);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
