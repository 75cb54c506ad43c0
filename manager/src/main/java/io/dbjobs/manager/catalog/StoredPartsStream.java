package io.dbjobs.manager.catalog;

import io.dbjobs.common.logical.DumpManifest;
import io.dbjobs.common.logical.PartFormat;
import io.dbjobs.common.logical.PartRecords;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A stored parallel dump as a part container again ({@link PartFormat}), read from its files one
 * part after the other: the schema part first, then each table's chunks together, tables in the
 * order they were dumped (biggest first), so a loader gets whole tables early. The receiver checks
 * every part against its trailer (from the manifest), so a file changed on disk fails the load.
 * Memory: one DATA record.
 */
public final class StoredPartsStream extends InputStream {
  private static final int DATA_BYTES = 256 * 1024;

  private final Path folder;
  private final List<StoredPart> order;
  private final DumpManifest dump;
  private int next;
  private byte[] current = PartRecords.header();
  private int pos;
  private InputStream file;
  private StoredPart filePart;
  private boolean ended;

  private StoredPartsStream(Path folder, List<StoredPart> order, DumpManifest dump) {
    this.folder = folder;
    this.order = order;
    this.dump = dump;
  }

  /** The container of a backup whose manifest lists parts. */
  public static StoredPartsStream of(BackupEntry e) {
    return new StoredPartsStream(
        e.dir().resolve(StoredPart.FOLDER), loadOrder(e.manifest().parts()), e.manifest().dump());
  }

  /** The stream's size: the records' headers and payloads. */
  public static long size(BackupEntry e) {
    List<StoredPart> parts = e.manifest().parts();
    long n = PartFormat.HEADER_BYTES;
    for (StoredPart p : parts) {
      long data = (p.bytes() + DATA_BYTES - 1) / DATA_BYTES;
      n += p.bytes() + data * PartFormat.RECORD_HEADER_BYTES;
      n += PartRecords.open(p.header()).length + PartRecords.close(p.trailer()).length;
    }
    return n + PartRecords.end(e.manifest().dump()).length;
  }

  static List<StoredPart> loadOrder(List<StoredPart> parts) {
    Map<String, List<StoredPart>> byTable = new LinkedHashMap<>();
    List<StoredPart> out = new ArrayList<>();
    for (StoredPart p : parts) {
      if (p.table() == null) {
        out.add(p);
      } else {
        byTable.computeIfAbsent(p.schema() + "\u0000" + p.table(), k -> new ArrayList<>()).add(p);
      }
    }
    for (List<StoredPart> chunks : byTable.values()) {
      chunks.sort(Comparator.comparingInt(StoredPart::chunk));
      out.addAll(chunks);
    }
    return out;
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
    while (current == null || pos == current.length) {
      if (!advance()) {
        return -1;
      }
    }
    int n = Math.min(len, current.length - pos);
    System.arraycopy(current, pos, b, off, n);
    pos += n;
    return n;
  }

  @Override
  public int available() {
    return current == null ? 0 : current.length - pos;
  }

  private boolean advance() throws IOException {
    pos = 0;
    if (file != null) {
      byte[] buf = file.readNBytes(DATA_BYTES);
      if (buf.length > 0) {
        current = PartRecords.record(PartFormat.DATA, filePart.id(), buf, 0, buf.length);
        return true;
      }
      file.close();
      file = null;
      current = PartRecords.close(filePart.trailer());
      return true;
    }
    if (next < order.size()) {
      filePart = order.get(next++);
      file = Files.newInputStream(folder.resolve(filePart.file()));
      current = PartRecords.open(filePart.header());
      return true;
    }
    if (!ended) {
      ended = true;
      current = PartRecords.end(dump);
      return true;
    }
    current = null;
    return false;
  }

  @Override
  public void close() throws IOException {
    if (file != null) {
      file.close();
      file = null;
    }
  }
}
