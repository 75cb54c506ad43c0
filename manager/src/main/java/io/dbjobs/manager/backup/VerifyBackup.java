package io.dbjobs.manager.backup;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.backup.BackupPosition;
import io.dbjobs.common.backup.DumpScanner;
import io.dbjobs.common.backup.XbstreamScanner;
import io.dbjobs.common.units.Sizes;
import io.dbjobs.manager.catalog.BackupCatalog;
import io.dbjobs.manager.catalog.BackupEntry;
import io.dbjobs.manager.catalog.Manifest;
import io.dbjobs.manager.catalog.Verification;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Re-reads a stored backup and checks it against its manifest: size and SHA-256 of the data file
 * (of every part of a parallel dump: {@link VerifyParts}), and that its content is whole (an
 * xbstream ending on a chunk boundary, a dump ending with {@code -- Dump completed}, naming the
 * manifest's position). The outcome is recorded in the backup's {@code verify.json}; a backup that
 * failed is no longer good (not counted by retention, refused for restores) until a later
 * verification passes.
 */
public final class VerifyBackup {
  /**
   * How the verification went.
   *
   * @param problems what did not match; empty when {@code ok}
   */
  public record Result(
      BackupEntry backup,
      boolean ok,
      long bytes,
      String sha256,
      List<String> problems,
      Duration took) {}

  private final BackupCatalog catalog;
  private final Clock clock;

  public VerifyBackup(BackupCatalog catalog, Clock clock) {
    this.catalog = catalog;
    this.clock = clock;
  }

  /**
   * Verifies the backup with this id.
   *
   * @throws DbJobsException NOT_FOUND for an unknown id; CATALOG_ERROR for an incomplete backup or
   *     when the data file cannot be read for another reason than a mismatch
   */
  public Result run(String id) {
    BackupEntry e = catalog.require(id);
    if (!e.complete()) {
      throw new DbJobsException(
          ErrorCode.CATALOG_ERROR,
          "backup "
              + id
              + " is incomplete (no manifest in "
              + e.dir()
              + "): it was never stored whole and is never restored from; dbjobs backups prune"
              + " removes it once abandoned");
    }
    Instant start = clock.instant();
    long t0 = System.nanoTime();
    Manifest m = e.manifest();
    List<String> problems = new ArrayList<>();
    Path data = e.dataFile();
    long bytes = -1;
    String sha = null;
    if (m.hasParts()) {
      VerifyParts.Checked c = VerifyParts.check(e, problems);
      bytes = c.bytes();
      sha = c.digest();
    } else {
      try {
        Read r = read(data, m, problems);
        bytes = r.bytes;
        sha = r.sha256;
        if (bytes != m.bytes()) {
          problems.add(
              data.getFileName() + " holds " + bytes + " bytes, the manifest says " + m.bytes());
        }
        if (!sha.equals(m.sha256())) {
          problems.add(
              "SHA-256 of "
                  + data.getFileName()
                  + " is "
                  + sha
                  + ", the manifest says "
                  + m.sha256());
        }
      } catch (NoSuchFileException x) {
        problems.add("the data file " + data + " is missing");
      } catch (IOException x) {
        throw new DbJobsException(
            ErrorCode.CATALOG_ERROR,
            "cannot read " + data + " to verify backup " + id + ": " + DbJobsException.describe(x),
            x);
      }
    }
    Verification v = new Verification(start, problems.isEmpty(), bytes, sha, problems);
    BackupEntry updated = catalog.recordVerification(e, v);
    return new Result(
        updated, v.ok(), bytes, sha, problems, Duration.ofNanos(System.nanoTime() - t0));
  }

  private record Read(long bytes, String sha256) {}

  private static Read read(Path data, Manifest m, List<String> problems) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
    long[] count = {0};
    try (InputStream file = Files.newInputStream(data);
        InputStream counted = new Counting(file, count);
        DigestInputStream raw =
            new DigestInputStream(new BufferedInputStream(counted, 1 << 20), md)) {
      BackupPosition found = null;
      try {
        switch (m.format() + "/" + m.contentCompression()) {
          case "xbstream/none" -> {
            XbstreamScanner s = new XbstreamScanner(raw);
            s.transferTo(OutputStream.nullOutputStream());
            if (!s.endedCleanly() || s.chunks() == 0) {
              problems.add(
                  "the xbstream is cut short: it does not end on a chunk boundary (after "
                      + s.chunks()
                      + " chunks)");
            }
            found = s.position();
          }
          case "sql/none" -> {
            DumpScanner s = new DumpScanner(raw);
            s.transferTo(OutputStream.nullOutputStream());
            if (!s.completed()) {
              problems.add("the dump does not end with '-- Dump completed'");
            }
            found = s.position();
          }
          case "sql/zstd" -> {
            InputStream z = new ZstdInputStreamNoFinalizer(raw);
            DumpScanner s = new DumpScanner(z);
            s.transferTo(OutputStream.nullOutputStream());
            if (!s.completed()) {
              problems.add("the dump does not end with '-- Dump completed'");
            }
            found = s.position();
          }
          default ->
              problems.add(
                  "unknown format "
                      + m.format()
                      + " with content compression "
                      + m.contentCompression()
                      + ": only size and SHA-256 were checked");
        }
      } catch (DbJobsException | IOException e) {
        problems.add(
            "the content does not read as "
                + m.format()
                + (m.contentCompression().equals("none") ? "" : "/" + m.contentCompression())
                + ": "
                + e.getMessage());
      }
      raw.transferTo(OutputStream.nullOutputStream());
      if (found != null && found.isKnown() && !found.equals(m.position())) {
        problems.add(
            "the backup's own position is " + found + ", the manifest says " + m.position());
      }
      return new Read(count[0], HexFormat.of().formatHex(md.digest()));
    }
  }

  /** Counts the bytes read from the file itself. */
  private static final class Counting extends java.io.FilterInputStream {
    private final long[] count;

    Counting(InputStream in, long[] count) {
      super(in);
      this.count = count;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        count[0]++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        count[0] += n;
      }
      return n;
    }
  }

  /** "verified 812 MiB in 4.1s: sha256 ... matches" or the problems, for the CLI. */
  public static String describe(Result r) {
    if (r.ok()) {
      return "backup "
          + r.backup().id()
          + " verified: "
          + Sizes.human(r.bytes())
          + ", sha256 "
          + r.sha256()
          + " matches its manifest";
    }
    return "backup " + r.backup().id() + " FAILED verification: " + String.join("; ", r.problems());
  }
}
