package io.dbjobs.common.logical;

import java.nio.ByteBuffer;

/** Encodes the container's header and records ({@link PartFormat}). */
public final class PartRecords {
  private PartRecords() {}

  /** The stream's first bytes: magic and version. */
  public static byte[] header() {
    byte[] h = new byte[PartFormat.HEADER_BYTES];
    System.arraycopy(PartFormat.MAGIC, 0, h, 0, PartFormat.MAGIC.length);
    h[PartFormat.MAGIC.length] = (byte) PartFormat.VERSION;
    return h;
  }

  /** One record: type, part id, length, payload. */
  public static byte[] record(byte type, int id, byte[] payload, int off, int len) {
    ByteBuffer b = ByteBuffer.allocate(PartFormat.RECORD_HEADER_BYTES + len);
    b.put(type).putInt(id).putInt(len).put(payload, off, len);
    return b.array();
  }

  public static byte[] open(PartHeader h) {
    byte[] json = PartJson.bytes(h);
    return record(PartFormat.OPEN, h.id(), json, 0, json.length);
  }

  public static byte[] close(PartTrailer t) {
    byte[] json = PartJson.bytes(t);
    return record(PartFormat.CLOSE, t.id(), json, 0, json.length);
  }

  public static byte[] end(DumpManifest m) {
    byte[] json = PartJson.bytes(m);
    return record(PartFormat.END, 0, json, 0, json.length);
  }
}
