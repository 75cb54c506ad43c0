package io.dbjobs.manager.backup;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import io.dbjobs.common.logical.DumpManifest;
import io.dbjobs.common.logical.PartHeader;
import io.dbjobs.common.logical.TableSummary;
import io.dbjobs.manager.catalog.BackupEntry;
import io.dbjobs.manager.catalog.StoredPart;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Checks every part of a stored parallel dump: its file is there, has the manifest's size and
 * SHA-256, decompresses whole to the manifest's size and number of lines (rows, or schema objects);
 * the schema part is there once; every table the dump lists has all its chunks, and their rows add
 * up to the dump's count for it.
 */
final class VerifyParts {
  /** What was read: the parts' total size and their digest ({@link StoredPart#digestOf}). */
  record Checked(long bytes, String digest) {}

  private VerifyParts() {}

  static Checked check(BackupEntry e, List<String> problems) {
    List<StoredPart> parts = e.manifest().parts();
    Path folder = e.dir().resolve(StoredPart.FOLDER);
    long bytes = 0;
    int schemaParts = 0;
    Map<String, long[]> tables = new HashMap<>(); // chunks seen, rows
    for (StoredPart p : parts) {
      bytes += checkPart(folder, p, problems);
      if (PartHeader.SCHEMA.equals(p.kind())) {
        schemaParts++;
      } else {
        long[] t = tables.computeIfAbsent(p.schema() + "." + p.table(), k -> new long[2]);
        t[0]++;
        t[1] += p.rows();
      }
    }
    if (schemaParts != 1) {
      problems.add("the dump has " + schemaParts + " schema parts, not one");
    }
    DumpManifest dump = e.manifest().dump();
    if (dump == null) {
      problems.add("the manifest lacks the dump's own manifest");
    } else {
      if (dump.parts() != parts.size()) {
        problems.add(
            "the dump counted " + dump.parts() + " parts, the manifest lists " + parts.size());
      }
      for (TableSummary s : dump.tables()) {
        long[] t = tables.getOrDefault(s.schema() + "." + s.table(), new long[2]);
        if (t[0] != s.chunks() || t[1] != s.rows()) {
          problems.add(
              s.schema()
                  + "."
                  + s.table()
                  + ": "
                  + t[0]
                  + " of "
                  + s.chunks()
                  + " chunks with "
                  + t[1]
                  + " rows stored, the dump counted "
                  + s.rows());
        }
      }
    }
    return new Checked(bytes, StoredPart.digestOf(parts));
  }

  /** Reads one part; returns its size on disk. */
  private static long checkPart(Path folder, StoredPart p, List<String> problems) {
    Path file = folder.resolve(p.file());
    String what = "part " + p.id() + " (" + p.header().describe() + ", " + p.file() + ")";
    MessageDigest md = sha256();
    long[] size = {0};
    try (InputStream raw = Files.newInputStream(file);
        InputStream counted =
            new java.io.FilterInputStream(raw) {
              @Override
              public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                  size[0] += n;
                }
                return n;
              }
            };
        DigestInputStream digested =
            new DigestInputStream(new BufferedInputStream(counted, 1 << 16), md);
        InputStream z = new ZstdInputStreamNoFinalizer(digested)) {
      byte[] buf = new byte[1 << 16];
      long rawBytes = 0;
      long lines = 0;
      int n;
      while ((n = z.read(buf)) > 0) {
        rawBytes += n;
        for (int i = 0; i < n; i++) {
          if (buf[i] == '\n') {
            lines++;
          }
        }
      }
      digested.transferTo(java.io.OutputStream.nullOutputStream());
      if (rawBytes != p.rawBytes() || lines != p.rows()) {
        problems.add(
            what
                + " decompresses to "
                + rawBytes
                + " bytes and "
                + lines
                + " lines, the manifest says "
                + p.rawBytes()
                + " and "
                + p.rows());
      }
    } catch (NoSuchFileException x) {
      problems.add(what + " is missing");
      return 0;
    } catch (IOException x) {
      problems.add(what + " does not decompress: " + x.getMessage());
    }
    String sha = HexFormat.of().formatHex(md.digest());
    if (size[0] != p.bytes()) {
      problems.add(what + " holds " + size[0] + " bytes, the manifest says " + p.bytes());
    } else if (!sha.equals(p.sha256())) {
      problems.add(what + " has SHA-256 " + sha + ", the manifest says " + p.sha256());
    }
    return size[0];
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
