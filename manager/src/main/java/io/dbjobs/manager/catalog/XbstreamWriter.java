package io.dbjobs.manager.catalog;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * Writes a folder (a backup made by mariadb-backup/xtrabackup with {@code --target-dir}) as one
 * xbstream, the format {@code mbstream -x} / {@code xbstream -x} extracts: for every regular file,
 * payload chunks of at most {@value #CHUNK} bytes ({@code XBSTCK01}, flags 0, type {@code P}, path
 * length and path, payload length, offset, CRC32 of the payload, all little endian), then an
 * end-of-file chunk (type {@code E}). Paths are relative, with {@code /}.
 */
public final class XbstreamWriter {
  public static final int CHUNK = 10 << 20;
  private static final byte[] MAGIC = "XBSTCK01".getBytes(StandardCharsets.US_ASCII);

  private XbstreamWriter() {}

  /** Writes every regular file under {@code dir}, in path order; returns the number of files. */
  public static int writeDirectory(Path dir, OutputStream out) throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.walk(dir)) {
      files = s.filter(Files::isRegularFile).sorted().toList();
    }
    byte[] buf = new byte[CHUNK];
    for (Path f : files) {
      String rel = dir.relativize(f).toString().replace('\\', '/');
      byte[] path = rel.getBytes(StandardCharsets.UTF_8);
      long offset = 0;
      try (InputStream in = Files.newInputStream(f)) {
        int n;
        while ((n = in.readNBytes(buf, 0, buf.length)) > 0) {
          CRC32 crc = new CRC32();
          crc.update(buf, 0, n);
          header(out, 'P', path);
          ByteBuffer lens = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
          lens.putLong(n).putLong(offset).putInt((int) crc.getValue());
          out.write(lens.array());
          out.write(buf, 0, n);
          offset += n;
        }
      }
      header(out, 'E', path);
    }
    return files.size();
  }

  private static void header(OutputStream out, char type, byte[] path) throws IOException {
    ByteBuffer h = ByteBuffer.allocate(MAGIC.length + 2 + 4 + path.length);
    h.order(ByteOrder.LITTLE_ENDIAN).put(MAGIC).put((byte) 0).put((byte) type);
    h.putInt(path.length).put(path);
    out.write(h.array());
  }
}
