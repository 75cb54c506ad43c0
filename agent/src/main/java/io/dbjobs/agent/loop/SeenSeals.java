package io.dbjobs.agent.loop;

import io.dbjobs.common.DbJobsException;
import io.dbjobs.common.ErrorCode;
import io.dbjobs.common.auth.JobSeal;
import io.dbjobs.common.auth.JobVerifier;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The seals this agent accepted, until they expire: a row whose seal was accepted once is refused
 * ever after (a finished row put back to queued, or copied under a new id by someone with write
 * access to the table). Kept in {@code <workDir>/seen-seals}, one line per seal ({@code <expiry ms>
 * <SHA-256 of the seal, hex>}), appended and fsynced before the job is claimed, so a restart does
 * not forget; expired lines are dropped when the file is compacted at start.
 */
final class SeenSeals {
  private final Path file;
  private final Clock clock;
  private final Map<String, Long> seen = new HashMap<>();

  SeenSeals(Path file, Clock clock) {
    this.file = file;
    this.clock = clock;
    load();
  }

  /** Whether this seal was accepted before. */
  synchronized boolean contains(String seal) {
    return seen.containsKey(hash(seal));
  }

  /**
   * Remembers an accepted seal, durably, before its job is claimed.
   *
   * @return false when it was already remembered (a replay)
   */
  synchronized boolean add(JobSeal seal, String sealText) {
    String h = hash(sealText);
    if (seen.containsKey(h)) {
      return false;
    }
    long until = seal.expires().plus(JobVerifier.CLOCK_SKEW).toEpochMilli();
    String line = until + " " + h + "\n";
    try (FileChannel ch =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      ch.write(ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII)));
      ch.force(false);
    } catch (IOException e) {
      throw new DbJobsException(
          ErrorCode.INTERNAL,
          "cannot record an accepted job seal in "
              + file
              + " (the agent refuses to run a job it could not remember running): "
              + e,
          e);
    }
    seen.put(h, until);
    return true;
  }

  synchronized int size() {
    return seen.size();
  }

  private void load() {
    long now = clock.millis();
    try {
      Files.createDirectories(file.getParent());
      if (Files.exists(file)) {
        List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        for (String l : lines) {
          String[] p = l.strip().split(" ");
          if (p.length != 2) {
            continue; // a line torn by a crash mid-append: it was never fsynced, so never used
          }
          long until = Long.parseLong(p[0]);
          if (until > now) {
            seen.put(p[1], until);
          }
        }
      }
      compact();
    } catch (IOException | NumberFormatException e) {
      throw new DbJobsException(
          ErrorCode.CONFIG_INVALID,
          "cannot read the agent's record of accepted job seals "
              + file
              + " (check workDir and its owner): "
              + e,
          e);
    }
  }

  private void compact() throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    StringBuilder sb = new StringBuilder();
    seen.forEach((h, until) -> sb.append(until).append(' ').append(h).append('\n'));
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ch.write(ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.US_ASCII)));
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  static String hash(String seal) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(seal.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
