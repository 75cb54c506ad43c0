package io.dbjobs.manager.backup;

import com.github.luben.zstd.ZstdIOException;
import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.backup.BackupPosition;
import io.dbjobs.common.backup.DumpScanner;
import io.dbjobs.common.backup.XbstreamScanner;
import io.dbjobs.manager.catalog.BackupCatalog;
import io.dbjobs.manager.catalog.BackupEntry;
import io.dbjobs.manager.catalog.BackupType;
import io.dbjobs.manager.catalog.DataLayout;
import io.dbjobs.manager.catalog.DurableFiles;
import io.dbjobs.manager.catalog.Manifest;
import io.dbjobs.manager.catalog.PushScanner;
import io.dbjobs.manager.catalog.StagedFile;
import io.dbjobs.manager.catalog.XbstreamWriter;
import io.dbjobs.manager.config.NodeConfig;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Registers a backup taken outside dbjobs: copies it into the catalog under the given node, hashes
 * it, reads its position from its own bytes, and writes the manifest last. Accepted:
 *
 * <ul>
 *   <li>physical: an xbstream file ({@code mariadb-backup --backup --stream=xbstream > f}), or a
 *       folder made by mariadb-backup/xtrabackup {@code --target-dir} (prepared or not), which is
 *       stored as an xbstream; the position comes from its {@code xtrabackup_binlog_info} (or
 *       {@code xtrabackup_info})
 *   <li>logical: an SQL dump by mariadb-dump/mysqldump, plain, gzip or zstd (recognised by its
 *       first bytes, not its name); gzip is re-compressed as zstd. The dump must end with {@code --
 *       Dump completed}; its position comes from its {@code CHANGE MASTER} and GTID comments (taken
 *       with {@code --master-data}/{@code --source-data} and {@code --gtid})
 * </ul>
 *
 * The backup's id takes its time from the source's modification time (the folder's {@code
 * xtrabackup_checkpoints}), so retention sees it at its real age.
 */
public final class ImportBackup {
  private static final byte[] XBSTREAM_MAGIC = "XBSTCK01".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] GZIP_MAGIC = {0x1f, (byte) 0x8b};
  private static final byte[] ZSTD_MAGIC = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd};
  private static final int HEAD = 4096;

  /**
   * A backup imported.
   *
   * @param notes things the user should know (no position found, ...)
   */
  public record Result(BackupEntry backup, List<String> notes) {}

  private final BackupCatalog catalog;
  private final Clock clock;

  public ImportBackup(BackupCatalog catalog, Clock clock) {
    this.catalog = catalog;
    this.clock = clock;
  }

  /**
   * Imports {@code source} as a backup of {@code node}.
   *
   * @throws DbJobsException NOT_FOUND when the source does not exist; BAD_PARAMETER when it is not
   *     a backup of that type, or is incomplete; CATALOG_ERROR/DISK_FULL when storing fails.
   *     Nothing is left in the catalog on failure.
   */
  public Result run(NodeConfig node, BackupType type, Path source) {
    Path src = source.toAbsolutePath().normalize();
    if (!Files.exists(src)) {
      throw new DbJobsException(
          ErrorCode.NOT_FOUND, "nothing to import: " + src + " does not exist");
    }
    try {
      if (type == BackupType.PHYSICAL) {
        return Files.isDirectory(src) ? physicalDirectory(node, src) : physicalFile(node, src);
      }
      if (Files.isDirectory(src)) {
        throw refused(
            src,
            "is a folder; a logical backup is one SQL dump file (.sql, .sql.gz or .sql.zst); for a"
                + " mariadb-backup folder use --type physical");
      }
      return logicalFile(node, src);
    } catch (IOException e) {
      throw DurableFiles.failure("importing " + src + " failed", e);
    }
  }

  private Result physicalFile(NodeConfig node, Path src) throws IOException {
    byte[] head = head(src, 8);
    if (!Arrays.equals(head, XBSTREAM_MAGIC)) {
      throw refused(
          src,
          "is not an xbstream (it does not start with XBSTCK01)"
              + (startsWith(head, GZIP_MAGIC) || startsWith(head, ZSTD_MAGIC)
                  ? "; it is compressed: decompress it first"
                  : "")
              + "; for a folder made with --target-dir, give the folder");
    }
    Instant taken = Files.getLastModifiedTime(src).toInstant();
    BackupCatalog.Reservation r =
        catalog.reserve(node.cluster(), node.name(), BackupType.PHYSICAL, taken);
    try (StagedFile out = StagedFile.create(r.dir().resolve(DataLayout.XBSTREAM.dataFile()));
        XbstreamScanner in =
            new XbstreamScanner(new BufferedInputStream(Files.newInputStream(src), 1 << 20))) {
      try {
        in.transferTo(out.out());
      } catch (DbJobsException e) {
        throw refused(src, "is not a whole xbstream: " + e.getMessage());
      }
      if (!in.endedCleanly() || in.chunks() == 0) {
        throw refused(
            src,
            "is cut short: it does not end on an xbstream chunk boundary (after "
                + in.chunks()
                + " chunks); an interrupted backup cannot be imported");
      }
      out.commit();
      return physical(node, r, src, out, in.position(), in.info(), null, taken);
    } finally {
      catalog.release(r);
    }
  }

  private Result physicalDirectory(NodeConfig node, Path src) throws IOException {
    Path checkpoints = src.resolve("xtrabackup_checkpoints");
    Path info = firstExisting(src, "mariadb_backup_info", "xtrabackup_info");
    if (!Files.exists(checkpoints) && info == null) {
      throw refused(
          src,
          "is not a folder made by mariadb-backup/xtrabackup --target-dir: it has no"
              + " xtrabackup_checkpoints or xtrabackup_info");
    }
    Boolean prepared = null;
    if (Files.exists(checkpoints)) {
      String cp = Files.readString(checkpoints, StandardCharsets.UTF_8);
      prepared =
          cp.contains("backup_type = full-prepared") || cp.contains("backup_type = log-applied");
      if (cp.contains("backup_type = incremental")) {
        throw refused(src, "is an incremental backup; only full backups can be imported");
      }
    }
    Instant taken =
        Files.getLastModifiedTime(Files.exists(checkpoints) ? checkpoints : info).toInstant();
    BackupCatalog.Reservation r =
        catalog.reserve(node.cluster(), node.name(), BackupType.PHYSICAL, taken);
    try (StagedFile staged = StagedFile.create(r.dir().resolve(DataLayout.XBSTREAM.dataFile()))) {
      // what is written passes through a scanner: the position is read from the stored xbstream
      // itself, and the writer's output is checked on the way
      PushScanner scanner = PushScanner.xbstream();
      OutputStream scanned =
          new FilterOutputStream(staged.out()) {
            @Override
            public void write(int b) throws IOException {
              write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
              out.write(b, off, len);
              scanner.feed(ByteBuffer.wrap(b, off, len));
            }
          };
      XbstreamWriter.writeDirectory(src, scanned);
      if (!scanner.complete()) {
        throw new DbJobsException(
            ErrorCode.INTERNAL,
            "the xbstream written from "
                + src
                + " does not read back whole: "
                + scanner.incompleteReason());
      }
      staged.commit();
      return physical(node, r, src, staged, scanner.position(), scanner.info(), prepared, taken);
    } finally {
      catalog.release(r);
    }
  }

  private Result physical(
      NodeConfig node,
      BackupCatalog.Reservation r,
      Path src,
      StagedFile out,
      BackupPosition position,
      Map<String, String> info,
      Boolean prepared,
      Instant taken) {
    List<String> notes = new ArrayList<>();
    if (!position.isKnown()) {
      notes.add(
          "no binary log position found (no xtrabackup_binlog_info): a replica cannot be"
              + " positioned from this backup");
    }
    String serverVersion = info.get("server_version");
    Manifest m =
        new Manifest(
            Manifest.VERSION,
            r.id(),
            r.cluster(),
            r.node(),
            BackupType.PHYSICAL.label(),
            DataLayout.XBSTREAM.format(),
            DataLayout.XBSTREAM.dataFile(),
            DataLayout.XBSTREAM.contentCompression(),
            out.bytes(),
            out.sha256(),
            toolName(info.get("tool_name")),
            info.get("tool_version"),
            serverVersion,
            flavor(serverVersion),
            position.gtid(),
            position.binlogFile(),
            position.binlogPos(),
            position.isKnown() ? "backup" : "none",
            null,
            taken,
            clock.instant(),
            null,
            "import",
            null,
            null,
            null,
            src.toString(),
            prepared,
            Map.of(),
            null,
            null);
    return new Result(catalog.commit(r, m), notes);
  }

  private Result logicalFile(NodeConfig node, Path src) throws IOException {
    byte[] head = head(src, 4);
    boolean gzip = startsWith(head, GZIP_MAGIC);
    boolean zstd = startsWith(head, ZSTD_MAGIC);
    if (Arrays.equals(head, Arrays.copyOf(XBSTREAM_MAGIC, 4))) {
      throw refused(src, "is an xbstream, not an SQL dump: use --type physical");
    }
    DataLayout layout = gzip || zstd ? DataLayout.SQL_ZSTD : DataLayout.SQL;
    Instant taken = Files.getLastModifiedTime(src).toInstant();
    BackupCatalog.Reservation r =
        catalog.reserve(node.cluster(), node.name(), BackupType.LOGICAL, taken);
    try (StagedFile out = StagedFile.create(r.dir().resolve(layout.dataFile()));
        InputStream file = new BufferedInputStream(Files.newInputStream(src), 1 << 20)) {
      Head headText;
      DumpScanner scanner;
      try {
        if (zstd) {
          // stored as it is; decompressed only to be read
          Tee tee = new Tee(file, out.out());
          headText = new Head(new ZstdInputStreamNoFinalizer(tee));
          scanner = new DumpScanner(headText);
          scanner.transferTo(OutputStream.nullOutputStream());
          tee.transferTo(OutputStream.nullOutputStream());
        } else if (gzip) {
          headText = new Head(new GZIPInputStream(file, 1 << 16));
          scanner = new DumpScanner(headText);
          try (OutputStream z = new ZstdOutputStreamNoFinalizer(new Unclosed(out.out()), 3)) {
            scanner.transferTo(z);
          }
        } else {
          headText = new Head(file);
          scanner = new DumpScanner(headText);
          scanner.transferTo(out.out());
        }
      } catch (java.util.zip.ZipException | java.io.EOFException | ZstdIOException e) {
        throw refused(
            src, "does not decompress (" + (gzip ? "gzip" : "zstd") + "): " + e.getMessage());
      }
      String text = withoutSandboxLine(headText.text());
      if (!text.startsWith("-- MariaDB dump") && !text.startsWith("-- MySQL dump")) {
        throw refused(
            src,
            "is not a dump made by mariadb-dump or mysqldump (it does not start with '-- MariaDB"
                + " dump' or '-- MySQL dump')");
      }
      if (!scanner.completed()) {
        throw refused(
            src,
            "does not end with '-- Dump completed': the dump was interrupted and cannot be"
                + " imported");
      }
      out.commit();
      BackupPosition position = scanner.position();
      List<String> notes = new ArrayList<>();
      if (!position.isKnown()) {
        notes.add(
            "no position found in the dump (take dumps with --master-data=2 --gtid, or"
                + " --source-data=2 on MySQL): a replica cannot be positioned from it");
      }
      if (gzip) {
        notes.add("the gzip dump was re-compressed as zstd (" + layout.dataFile() + ")");
      }
      String firstLine = text.lines().findFirst().orElse("");
      String serverVersion = headerValue(text, "-- Server version");
      Manifest m =
          new Manifest(
              Manifest.VERSION,
              r.id(),
              r.cluster(),
              r.node(),
              BackupType.LOGICAL.label(),
              layout.format(),
              layout.dataFile(),
              layout.contentCompression(),
              out.bytes(),
              out.sha256(),
              firstLine.startsWith("-- MySQL") ? "mysqldump" : "mariadb-dump",
              firstLine.substring(3).strip(),
              serverVersion,
              firstLine.startsWith("-- MySQL") ? "mysql" : flavor(serverVersion),
              position.gtid(),
              position.binlogFile(),
              position.binlogPos(),
              position.isKnown() ? "backup" : "none",
              null,
              taken,
              clock.instant(),
              null,
              "import",
              null,
              null,
              null,
              src.toString(),
              null,
              Map.of(),
              null,
              null);
      return new Result(catalog.commit(r, m), notes);
    } finally {
      catalog.release(r);
    }
  }

  /**
   * A dump's text without the "enable the sandbox mode" comment line that mariadb-dump writes first
   * since MariaDB 10.5.25, 10.6.18 and 10.11.8.
   */
  static String withoutSandboxLine(String text) {
    if (text.startsWith("/*M!999999") || text.startsWith("/*!999999")) {
      int nl = text.indexOf('\n');
      return nl < 0 ? "" : text.substring(nl + 1);
    }
    return text;
  }

  private static String headerValue(String text, String prefix) {
    for (String l : text.lines().toList()) {
      if (l.startsWith(prefix)) {
        String v = l.substring(prefix.length()).strip();
        return v.isEmpty() ? null : v;
      }
    }
    return null;
  }

  private static String flavor(String serverVersion) {
    if (serverVersion == null) {
      return null;
    }
    return serverVersion.toLowerCase(java.util.Locale.ROOT).contains("mariadb")
        ? "mariadb"
        : "mysql";
  }

  private static String toolName(String name) {
    if (name == null) {
      return null;
    }
    return name.equals("mariabackup") ? "mariadb-backup" : name;
  }

  private static Path firstExisting(Path dir, String... names) {
    for (String n : names) {
      Path p = dir.resolve(n);
      if (Files.exists(p)) {
        return p;
      }
    }
    return null;
  }

  private static byte[] head(Path f, int n) throws IOException {
    try (InputStream in = Files.newInputStream(f)) {
      return in.readNBytes(n);
    } catch (NoSuchFileException e) {
      throw new DbJobsException(ErrorCode.NOT_FOUND, "nothing to import: " + f + " does not exist");
    }
  }

  private static boolean startsWith(byte[] b, byte[] prefix) {
    return b.length >= prefix.length && Arrays.equals(Arrays.copyOf(b, prefix.length), prefix);
  }

  private static DbJobsException refused(Path src, String why) {
    return new DbJobsException(ErrorCode.BAD_PARAMETER, "cannot import " + src + ": it " + why);
  }

  /** Copies what is read from {@code in} to {@code out}. */
  private static final class Tee extends FilterInputStream {
    private final OutputStream out;

    Tee(InputStream in, OutputStream out) {
      super(in);
      this.out = out;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        out.write(b);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        out.write(b, off, n);
      }
      return n;
    }

    @Override
    public void close() {
      // the file is closed by its owner
    }
  }

  /** Keeps the first {@value #HEAD} bytes read, for the dump's header lines. */
  private static final class Head extends FilterInputStream {
    private final byte[] head = new byte[HEAD];
    private int kept;

    Head(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0 && kept < HEAD) {
        head[kept++] = (byte) b;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0 && kept < HEAD) {
        int k = Math.min(n, HEAD - kept);
        System.arraycopy(b, off, head, kept, k);
        kept += k;
      }
      return n;
    }

    String text() {
      return new String(head, 0, kept, StandardCharsets.UTF_8);
    }
  }

  /** An output whose close only flushes. */
  private static final class Unclosed extends java.io.FilterOutputStream {
    Unclosed(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }
}
